import Foundation
import XCTest
import NASBench
import NASCore

/// `BenchmarkQuery` (what `nasdata query` prints) against the answers upstream's NASBench201API
/// gave on the same meta file (recorded by Tools/fixtures/make_benchmark_fixtures.py).
final class ArchitectureQueryTests: XCTestCase {
    private func benchmark() throws -> String { try BenchmarkFixtures.converted("v1_1") }

    private func number(_ any: Any?) -> Double? { BenchmarkFixtures.number(any) }

    func testEveryRecordedRunMatchesUpstream() throws {
        let path = try benchmark()
        let q = try BenchmarkFixtures.queries("v1_1")
        var checked = 0
        for case let run as [String: Any] in q["runs"] as! [Any] {
            guard let cost = (run["cost"] as? [String: Any])?["ok"] as? [String: Any],
                  let recorded = (run["more_info"] as? [String: Any])?["last|mean"] as? [String: Any],
                  let info = recorded["ok"] as? [String: Any] else { continue }
            let index = run["index"] as! Int, dataset = run["dataset"] as! String, hp = run["hp"] as! String
            let label = "#\(index) \(dataset) hp=\(hp)"
            let result = try BenchmarkQuery.run(QueryRequest(benchmark: path, architecture: .index(index),
                                                             schedule: Schedule(rawValue: hp)!, dataset: dataset))
            XCTAssertEqual(result.index, index, label)
            XCTAssertEqual(result.schedule.rawValue, hp, label)
            XCTAssertEqual(result.arch, (q["arch"] as? [String: String])?[String(index)] ?? result.arch, label)
            XCTAssertEqual(result.datasets.count, 1, label)
            let d = result.datasets[0]
            XCTAssertEqual(d.dataset, dataset, label)
            XCTAssertEqual(d.seeds, run["seeds"] as? [Int], label)
            XCTAssertNil(d.seed, label)
            XCTAssertEqual(d.epoch, (Int(hp)! - 1), label)
            XCTAssertEqual(d.costs?.flops, number(cost["flops"]), label)
            XCTAssertEqual(d.costs?.params, number(cost["params"]), label)
            XCTAssertEqual(d.costs?.latency, number(cost["latency"]), label)
            XCTAssertEqual(Set(d.info.map(\.key)), Set(info.keys), label)
            for (k, v) in d.info { XCTAssertEqual(v, number(info[k]), "\(label) \(k)") }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 20)
    }

    func testStringSelectorDefaultsAndRendering() throws {
        let path = try benchmark()
        let q = try BenchmarkFixtures.queries("v1_1")
        let index = 1, arch = (q["arch"] as! [String: String])["1"]!
        // No schedule: the space's full one (200); no data set: every one the run has.
        let result = try BenchmarkQuery.run(QueryRequest(benchmark: path, architecture: .string(arch)))
        XCTAssertEqual(result.index, index)
        XCTAssertEqual(result.arch, arch)
        XCTAssertEqual(result.schedule, Schedule(rawValue: "200"))
        XCTAssertEqual(result.datasets.map(\.dataset), ["cifar10-valid", "cifar10", "cifar100", "ImageNet16-120"])

        let lines = result.lines
        XCTAssertEqual(Array(lines.prefix(2)), ["index \(index)  \(arch)", "hp 200"])
        XCTAssertEqual(lines.filter { $0.hasSuffix("epoch 199):") }.count, 4)
        XCTAssertTrue(lines.contains { $0.hasPrefix("  FLOPs ") && $0.hasSuffix(" ms") })
        let json = "\(result.json)"
        XCTAssertTrue(json.hasPrefix("{\"index\": \(index), \"arch\": \"\(arch)\", \"hp\": \"200\", \"datasets\": [{\"dataset\": \"cifar10-valid\""), json)
        XCTAssertTrue(json.contains("\"seed\": \"mean\", \"epoch\": 199"), json)

        // One seed at one epoch.
        let one = try BenchmarkQuery.run(QueryRequest(benchmark: path, architecture: .index(index), dataset: "cifar10", epoch: 3, seed: 777))
        XCTAssertEqual(one.datasets.map(\.seed), [777])
        XCTAssertEqual(one.datasets.map(\.epoch), [3])
        XCTAssertEqual(one.lines[2], "cifar10 (seed 777, epoch 3):")
    }

    func testMissesSayWhatIsMissing() throws {
        let path = try benchmark()
        let bench = try Benchmark(path: path)
        XCTAssertThrowsError(try BenchmarkQuery.run(QueryRequest(benchmark: path, architecture: .string("garbage")), on: bench)) {
            guard case ArchitectureLookupError.invalid(let message)? = $0 as? ArchitectureLookupError else { return XCTFail("\($0)") }
            XCTAssertTrue(message.contains("invalid architecture string \"garbage\""), message)
        }
        XCTAssertEqual("\(ArchitectureLookupError.notInBenchmark("|x~0|"))", "architecture not in the benchmark (upstream: -1): |x~0|")
        XCTAssertThrowsError(try BenchmarkQuery.run(QueryRequest(benchmark: path, architecture: .index(99_999)), on: bench)) {
            XCTAssertEqual($0 as? QueryError, .indexOutOfRange(99_999))
        }
        XCTAssertThrowsError(try BenchmarkQuery.run(QueryRequest(benchmark: path, architecture: .index(1), seed: 1), on: bench)) {
            guard case .noSuchSeed(1, "cifar10-valid", 1, _)? = $0 as? QueryError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try BenchmarkQuery.run(QueryRequest(benchmark: path, architecture: .index(1), epoch: 999), on: bench)) {
            XCTAssertEqual($0 as? QueryError, .epochOutOfRange(epoch: 999, epochs: 200))
        }
        let evaluated = Set(try bench.evaluatedIndexes())
        let notEvaluated = (0..<bench.count).first { !evaluated.contains($0) }!
        XCTAssertThrowsError(try BenchmarkQuery.run(QueryRequest(benchmark: path, architecture: .index(notEvaluated)), on: bench)) {
            XCTAssertEqual($0 as? QueryError, .notEvaluated(index: notEvaluated))
        }
    }

    func testBestMatchesUpstreamFindBest() throws {
        let path = try benchmark()
        let q = try BenchmarkFixtures.queries("v1_1")
        var checked = 0
        for case let c as [String: Any] in q["find_best"] as! [Any] {
            guard let e = (c["result"] as? [String: Any])?["ok"] as? [Any] else { continue }
            var request = BestRequest(benchmark: path, dataset: c["dataset"] as! String, metric: c["metric"] as! String)
            request.schedule = Schedule(rawValue: c["hp"] as! String)!
            request.maxFlops = number(c["flop_max"])
            request.maxParams = number(c["param_max"])
            let label = "\(c)"
            let best = try BenchmarkQuery.best(request)
            XCTAssertEqual(best?.index ?? -1, e[0] as? Int, label)
            XCTAssertEqual(best?.accuracy, number(e[1]), label)
            if let best {
                let (dataset, _) = remapDatasetAndSet(dataset: request.dataset, set: request.metric)
                let costs = try BenchmarkQuery.run(QueryRequest(benchmark: path, architecture: .index(best.index),
                                                                schedule: request.schedule, dataset: dataset)).datasets[0].costs
                XCTAssertEqual(try XCTUnwrap(best.costs).flops, try XCTUnwrap(costs).flops, label)
                if let limit = request.maxFlops { XCTAssertLessThanOrEqual(try XCTUnwrap(best.costs).flops, limit, label) }
                XCTAssertEqual(best.lines[0], "\(best.index)  \(best.arch)")
                XCTAssertTrue("\(best.json)".hasPrefix("{\"index\": \(best.index), \"arch\": \"\(best.arch)\""))
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 3)
        var none = BestRequest(benchmark: path, dataset: "cifar10", metric: "ori-test")
        none.maxFlops = 0
        XCTAssertNil(try BenchmarkQuery.best(none))
        XCTAssertEqual("\(BestResult.noneJSON)", "{\"index\": -1, \"accuracy\": null}")
    }

    func testTableWritesEveryArchitecture() throws {
        let path = try benchmark()
        let output = BenchmarkFixtures.temporaryPath("table-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try BenchmarkQuery.table(TableRequest(benchmark: path, dataset: "cifar100", output: output))
        XCTAssertEqual(result.rows, 15625)
        XCTAssertEqual(result.schedule, Schedule(rawValue: "200"))
        XCTAssertEqual(result.line, "\(output): 15625 rows (cifar100, hp 200)")
        XCTAssertEqual("\(result.json)", "{\"output\": \"\(output)\", \"rows\": 15625, \"dataset\": \"cifar100\", \"hp\": \"200\"}")
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 15626)
        XCTAssertTrue(lines[0].hasPrefix("index,arch,seeds,flops"), String(lines[0]))
        // Architecture 1's row holds the costs the query reports.
        let costs = try BenchmarkQuery.run(QueryRequest(benchmark: path, architecture: .index(1), dataset: "cifar100")).datasets[0].costs
        let row = lines[2].split(separator: ",", omittingEmptySubsequences: false)
        XCTAssertEqual(row[0], "1")
        XCTAssertEqual(Double(row[3]), try XCTUnwrap(costs).flops)
        XCTAssertEqual(Double(row[4]), try XCTUnwrap(costs).params)
    }
}
