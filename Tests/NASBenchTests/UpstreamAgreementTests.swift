import Foundation
import XCTest
@testable import NASBench
import NASCore

/// Compares nasdata's answers on the converted fixtures with what upstream's NASBench201API
/// answered on the same meta files (recorded by Tools/fixtures/make_benchmark_fixtures.py).
final class UpstreamAgreementTests: XCTestCase {
    nonisolated(unsafe) private static var benches: [String: Benchmark] = [:]

    private func bench(_ tag: String) throws -> Benchmark {
        if let b = Self.benches[tag] { return b }
        let output = try BenchmarkFixtures.converted(tag)
        let b = try Benchmark(path: output)
        Self.benches[tag] = b
        return b
    }

    private func number(_ any: Any?) -> Double? { BenchmarkFixtures.number(any) }

    /// `{"ok": value}` or `{"error": name}`.
    private func expect<T>(_ record: Any?, _ what: String, _ body: () throws -> T, check: (T, Any) -> Void) {
        let record = record as! [String: Any]
        do {
            let value = try body()
            guard let ok = record["ok"] else { return XCTFail("\(what): upstream raised \(record["error"]!), nasdata answered \(value)") }
            check(value, ok)
        } catch {
            if record["ok"] != nil { XCTFail("\(what): upstream answered \(record["ok"]!), nasdata threw \(error)") }
        }
    }

    private func checkMetric(_ m: Metric, _ expected: Any, _ what: String) {
        let e = expected as! [String: Any]
        XCTAssertEqual(Double(m.epoch), number(e["iepoch"]), what)
        XCTAssertEqual(m.loss, number(e["loss"]), what)
        XCTAssertEqual(m.accuracy, number(e["accuracy"]), what)
        XCTAssertEqual(m.epochTime, number(e["cur_time"]), what)
        XCTAssertEqual(m.totalTime, number(e["all_time"]), what)
    }

    func testIndexAndLookupAgree() throws {
        for tag in ["v1_0", "v1_1"] {
            let q = try BenchmarkFixtures.queries(tag), b = try bench(tag)
            XCTAssertEqual(b.count, q["len"] as? Int)
            XCTAssertEqual(try b.evaluatedIndexes(), q["evaluated_indexes"] as? [Int])
            for (i, arch) in q["arch"] as! [String: String] { XCTAssertEqual(try b.architecture(at: Int(i)!), arch) }
            for (arch, i) in q["query_index_by_arch"] as! [String: Int] { XCTAssertEqual(try b.index(of: arch), i) }
            XCTAssertEqual(q["query_index_miss"] as? Int, -1)
            XCTAssertNil(try b.index(of: "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|"))
        }
    }

    func testMetricsMoreInfoAndCostsAgree() throws {
        for tag in ["v1_0", "v1_1"] {
            let q = try BenchmarkFixtures.queries(tag), b = try bench(tag)
            var checked = 0
            for case let run as [String: Any] in q["runs"] as! [Any] {
                let index = run["index"] as! Int, dataset = run["dataset"] as! String
                let schedule = Schedule(rawValue: run["hp"] as! String)!
                let ar = try b.results(index: index, schedule: schedule)
                XCTAssertEqual(ar.seeds(of: dataset), run["seeds"] as? [Int])
                let label = "\(tag) #\(index) \(dataset) hp=\(schedule.rawValue)"
                expect(run["cost"], label + " cost", { try ar.computeCosts(dataset: dataset) }) { c, e in
                    let e = e as! [String: Any]
                    XCTAssertEqual(c.flops, number(e["flops"]), label)
                    XCTAssertEqual(c.params, number(e["params"]), label)
                    XCTAssertEqual(c.latency, number(e["latency"]), label)
                    XCTAssertEqual(Set(c.times.map(\.key)), Set(e.keys).subtracting(["flops", "params", "latency"]), label)
                    for (k, v) in c.times { XCTAssertEqual(v, number(e[k]), label + " " + k) }
                }
                expect(run["latency"], label + " latency", { try b.latency(index: index, dataset: dataset, schedule: schedule) }) { l, e in
                    XCTAssertEqual(l, number(e), label)
                }
                for (key, record) in run["more_info"] as! [String: Any] {
                    let parts = key.split(separator: "|")
                    let epoch = parts[0] == "last" ? nil : Int(parts[0])
                    let seeds: SeedSelection = parts[1] == "mean" ? .mean : .seed(Int(parts[1])!)
                    expect(record, label + " more_info " + key, { try ar.moreInfo(dataset: dataset, epoch: epoch, seeds: seeds) }) { info, e in
                        let e = e as! [String: Any]
                        XCTAssertEqual(Set(info.map(\.key)), Set(e.keys), label + key)
                        for (k, v) in info { XCTAssertEqual(v, number(e[k]), "\(label) \(key) \(k)") }
                        checked += 1
                    }
                }
                for (key, record) in run["metrics"] as! [String: Any] {
                    let parts = key.split(separator: "|")
                    let epoch = parts[1] == "last" ? nil : Int(parts[1])
                    let seeds: SeedSelection = parts[2] == "mean" ? .mean : .seed(Int(parts[2])!)
                    expect(record, label + " metric " + key, {
                        try ar.metric(dataset: dataset, set: String(parts[0]), epoch: epoch, seeds: seeds)
                    }) { m, e in self.checkMetric(m, e, label + " " + key) }
                }
            }
            XCTAssertGreaterThan(checked, 20, tag)
        }
    }

    func testShowTextAgrees() throws {
        for tag in ["v1_0", "v1_1"] {
            let q = try BenchmarkFixtures.queries(tag), b = try bench(tag)
            for (index, texts) in q["show"] as! [String: [String: String]] {
                for (hp, text) in texts {
                    XCTAssertEqual(try b.informationText(index: Int(index)!, schedule: Schedule(rawValue: hp)!), text)
                }
            }
        }
    }

    func testFindBestAgrees() throws {
        for tag in ["v1_0", "v1_1"] {
            let q = try BenchmarkFixtures.queries(tag), b = try bench(tag)
            for case let c as [String: Any] in q["find_best"] as! [Any] {
                let label = "\(tag) \(c)"
                expect(c["result"], label, {
                    try b.findBest(dataset: c["dataset"] as! String, set: c["metric"] as! String,
                                   schedule: Schedule(rawValue: c["hp"] as! String)!,
                                   maxFlops: number(c["flop_max"]), maxParams: number(c["param_max"]))
                }) { best, e in
                    let e = e as! [Any]
                    XCTAssertEqual(best?.index ?? -1, e[0] as? Int, label)
                    XCTAssertEqual(best?.accuracy, self.number(e[1]), label)
                }
            }
        }
    }
}
