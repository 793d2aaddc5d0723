import Foundation
import HDF5
import NASBench
import NASCore
import NASDataIO
import Tensors

/// The results of a search on disk: HDF5 (schema `nasdata-search` v1, `Schemas/nasdata-search.v1.json`)
/// or JSON with the same content. Both are written atomically (temp file, then rename).
///
///     /                      attrs: algorithm, search_space, dataset, time_budget, proxy_hp, final_hp, benchmark
///     /runs/{seed, best_index, final_test_accuracy, eval_start, eval_count, counted}   [R]
///     /evaluations/{arch_index, reward, cost, total_time, best_index, epochs}         [N], runs contiguous
///     /archs/{index, arch_str, test_accuracy}   every index the runs evaluated (test accuracy: reported
///                                              schedule, NaN where the benchmark has none)
public enum SearchResultFile {
    public static let schemaName = "nasdata-search"
    public static let schemaVersion: Int64 = 1

    /// Writes `result` to `path` (`.json` -> JSON, anything else -> HDF5).
    public static func write(_ result: SearchResult, to path: String) throws {
        if path.lowercased().hasSuffix(".json") {
            let text = json(result).encoded(nonFinite: .string) + "\n"
            try writeText(text, to: path)
        } else {
            try writeHDF5(result, to: path)
        }
    }

    static func json(_ r: SearchResult) -> JSONValue {
        let archs = r.archStrings.keys.sorted()
        return .object([
            ("nasdata_schema", .string(schemaName)), ("nasdata_schema_version", .int(schemaVersion)),
            ("algorithm", .string(r.algorithm.rawValue)), ("search_space", .string(r.space.rawValue)),
            ("dataset", .string(r.dataset.name)),
            ("time_budget", .double(r.timeBudget)), ("proxy_hp", .string(r.proxySchedule.rawValue)),
            ("final_hp", .string(r.finalSchedule.rawValue)), ("benchmark", .string(r.benchmark)),
            ("runs", .array(r.runs.map { run in
                .object([
                    ("seed", .int(Int64(run.seed))), ("best_index", .int(Int64(run.bestIndex))),
                    ("best_arch", .string(r.archStrings[run.bestIndex] ?? "")),
                    ("final_test_accuracy", .double(run.finalTestAccuracy)), ("counted", .int(Int64(run.counted))),
                    ("evaluations", .array(run.evaluations.map { e in
                        .array([.int(Int64(e.index)), .double(e.reward), .double(e.cost), .double(e.totalTime),
                                .int(Int64(e.bestIndex)), .int(Int64(e.epochs))])
                    })),
                ])
            })),
            ("evaluation_columns", .array(["arch_index", "reward", "cost", "total_time", "best_index", "epochs"].map { .string($0) })),
            ("archs", .object(archs.map { i in
                (String(i), .object([("arch", .string(r.archStrings[i]!)),
                                     ("test_accuracy", r.testAccuracy[i].map { .double($0) } ?? .null)]))
            })),
        ])
    }

    static func writeHDF5(_ r: SearchResult, to path: String) throws {
        try File.writeAtomically(to: path) { file in
            try file.setAttribute("nasdata_schema", .string(schemaName))
            try file.setAttribute("nasdata_schema_version", .int(schemaVersion))
            try file.setAttribute("algorithm", .string(r.algorithm.rawValue))
            try file.setAttribute("search_space", .string(r.space.rawValue))
            try file.setAttribute("dataset", .string(r.dataset.name))
            try file.setAttribute("time_budget", .double(r.timeBudget))
            try file.setAttribute("proxy_hp", .string(r.proxySchedule.rawValue))
            try file.setAttribute("final_hp", .string(r.finalSchedule.rawValue))
            try file.setAttribute("benchmark", .string(r.benchmark))
            let runs = try file.createGroup("runs")
            func ints(_ g: Group, _ name: String, _ v: [Int]) throws {
                try g.createDataset(name, tensor: Tensor(shape: [v.count], scalars: v.map(Int64.init)),
                                    chunks: v.isEmpty ? nil : [min(v.count, 65_536)], deflate: v.isEmpty ? nil : 4)
            }
            func doubles(_ g: Group, _ name: String, _ v: [Double]) throws {
                try g.createDataset(name, tensor: Tensor(shape: [v.count], scalars: v),
                                    chunks: v.isEmpty ? nil : [min(v.count, 65_536)], deflate: v.isEmpty ? nil : 4)
            }
            var starts: [Int] = [], total = 0
            for run in r.runs { starts.append(total); total += run.evaluations.count }
            try ints(runs, "seed", r.runs.map(\.seed))
            try ints(runs, "best_index", r.runs.map(\.bestIndex))
            try doubles(runs, "final_test_accuracy", r.runs.map(\.finalTestAccuracy))
            try ints(runs, "eval_start", starts)
            try ints(runs, "eval_count", r.runs.map(\.evaluations.count))
            try ints(runs, "counted", r.runs.map(\.counted))
            let evals = try file.createGroup("evaluations")
            let all = r.runs.flatMap(\.evaluations)
            try ints(evals, "arch_index", all.map(\.index))
            try doubles(evals, "reward", all.map(\.reward))
            try doubles(evals, "cost", all.map(\.cost))
            try doubles(evals, "total_time", all.map(\.totalTime))
            try ints(evals, "best_index", all.map(\.bestIndex))
            try ints(evals, "epochs", all.map(\.epochs))
            let archs = try file.createGroup("archs")
            let indexes = r.archStrings.keys.sorted()
            try ints(archs, "index", indexes)
            try archs.createStringDataset("arch_str", indexes.map { r.archStrings[$0]! })
            try doubles(archs, "test_accuracy", indexes.map { r.testAccuracy[$0] ?? .nan })
        }
    }

    /// Reads a results file written by `write` (HDF5 or JSON).
    public static func read(_ path: String) throws -> SearchResult {
        if path.lowercased().hasSuffix(".json") { return try readJSON(path) }
        let file: File
        do { file = try File.open(path) } catch {
            throw IOError.malformed(path: path, offset: nil, reason: "not a readable HDF5 file (\(error))")
        }
        defer { file.close() }
        func bad(_ reason: String) -> Error { IOError.malformed(path: path, offset: nil, reason: reason) }
        guard try file.attribute("nasdata_schema")?.stringValue == schemaName else {
            throw bad("not a nasdata search result (nasdata_schema is not '\(schemaName)')")
        }
        guard try file.attribute("nasdata_schema_version")?.intValue == schemaVersion else {
            throw bad("search result layout version is not \(schemaVersion)")
        }
        func attr(_ name: String) throws -> String {
            guard let v = try file.attribute(name)?.stringValue else { throw bad("missing attribute '\(name)'") }
            return v
        }
        guard let algorithm = SearchAlgorithm(rawValue: try attr("algorithm")),
              let dataset = SearchDataset(rawValue: try attr("dataset")),
              let proxy = Schedule(rawValue: try attr("proxy_hp")), let final = Schedule(rawValue: try attr("final_hp")),
              let budget = try file.attribute("time_budget")?.doubleValue,
              let space = SearchSpaceKind(rawValue: try file.attribute("search_space")?.stringValue ?? "tss") else {
            throw bad("unknown algorithm, search space, dataset, schedule or time budget in the root attributes")
        }
        func ints(_ p: String) throws -> [Int] { try file.openDataset(p).read(as: Int64.self).map(Int.init) }
        func doubles(_ p: String) throws -> [Double] { try file.openDataset(p).read(as: Double.self) }
        let seeds = try ints("runs/seed"), best = try ints("runs/best_index"), acc = try doubles("runs/final_test_accuracy")
        let starts = try ints("runs/eval_start"), counts = try ints("runs/eval_count"), counted = try ints("runs/counted")
        let index = try ints("evaluations/arch_index"), reward = try doubles("evaluations/reward")
        let cost = try doubles("evaluations/cost"), total = try doubles("evaluations/total_time")
        let bestSoFar = try ints("evaluations/best_index"), epochs = try ints("evaluations/epochs")
        let n = index.count
        guard [reward.count, cost.count, total.count, bestSoFar.count, epochs.count].allSatisfy({ $0 == n }),
              [best.count, acc.count, starts.count, counts.count, counted.count].allSatisfy({ $0 == seeds.count }) else {
            throw bad("columns of /runs or /evaluations differ in length")
        }
        var runs: [SearchRun] = []
        for r in seeds.indices {
            guard starts[r] >= 0, counts[r] >= 0, starts[r] + counts[r] <= n, (0...counts[r]).contains(counted[r]) else {
                throw bad("run \(r) points outside /evaluations")
            }
            let evals = (starts[r]..<(starts[r] + counts[r])).map {
                Evaluation(index: index[$0], reward: reward[$0], cost: cost[$0], totalTime: total[$0],
                           bestIndex: bestSoFar[$0], epochs: epochs[$0])
            }
            runs.append(SearchRun(seed: seeds[r], evaluations: evals, counted: counted[r], bestIndex: best[r],
                                  finalTestAccuracy: acc[r]))
        }
        let archIndex = try ints("archs/index"), archStr = try file.openDataset("archs/arch_str").readStrings()
        let archAcc = try doubles("archs/test_accuracy")
        guard archStr.count == archIndex.count, archAcc.count == archIndex.count else { throw bad("columns of /archs differ in length") }
        var strings: [Int: String] = [:], accuracy: [Int: Double] = [:]
        for (k, i) in archIndex.enumerated() {
            strings[i] = archStr[k]
            if !archAcc[k].isNaN { accuracy[i] = archAcc[k] }
        }
        return SearchResult(algorithm: algorithm, space: space, dataset: dataset, timeBudget: budget, proxySchedule: proxy,
                            finalSchedule: final, benchmark: (try? attr("benchmark")) ?? "", archStrings: strings,
                            testAccuracy: accuracy, runs: runs)
    }

    static func readJSON(_ path: String) throws -> SearchResult {
        func bad(_ reason: String) -> Error { IOError.malformed(path: path, offset: nil, reason: reason) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw bad("cannot read (\(error.localizedDescription))") }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              root["nasdata_schema"] as? String == schemaName else { throw bad("not a nasdata search result (JSON)") }
        guard let algorithm = (root["algorithm"] as? String).flatMap(SearchAlgorithm.init(rawValue:)),
              let dataset = (root["dataset"] as? String).flatMap(SearchDataset.init(rawValue:)),
              let proxy = (root["proxy_hp"] as? String).flatMap(Schedule.init(rawValue:)),
              let final = (root["final_hp"] as? String).flatMap(Schedule.init(rawValue:)),
              let budget = (root["time_budget"] as? NSNumber)?.doubleValue,
              let space = SearchSpaceKind(rawValue: root["search_space"] as? String ?? "tss"),
              let runList = root["runs"] as? [[String: Any]], let archs = root["archs"] as? [String: [String: Any]] else {
            throw bad("missing or malformed top-level fields")
        }
        func num(_ v: Any?) -> Double? {
            if let n = v as? NSNumber { return n.doubleValue }
            if let s = v as? String { return Double(s) }  // NaN / Infinity are written as strings
            return nil
        }
        var runs: [SearchRun] = []
        for run in runList {
            guard let seed = num(run["seed"]), let best = num(run["best_index"]), let counted = num(run["counted"]),
                  let rows = run["evaluations"] as? [[Any]] else { throw bad("malformed run entry") }
            let evals = try rows.map { row -> Evaluation in
                let v = row.map(num)
                guard v.count == 6, v.allSatisfy({ $0 != nil }) else { throw bad("malformed evaluation row") }
                return Evaluation(index: Int(v[0]!), reward: v[1]!, cost: v[2]!, totalTime: v[3]!, bestIndex: Int(v[4]!), epochs: Int(v[5]!))
            }
            runs.append(SearchRun(seed: Int(seed), evaluations: evals, counted: Int(counted), bestIndex: Int(best),
                                  finalTestAccuracy: num(run["final_test_accuracy"]) ?? .nan))
        }
        var strings: [Int: String] = [:], accuracy: [Int: Double] = [:]
        for (key, value) in archs {
            guard let i = Int(key), let s = value["arch"] as? String else { throw bad("malformed archs entry \(key)") }
            strings[i] = s
            if let a = num(value["test_accuracy"]), !a.isNaN { accuracy[i] = a }
        }
        return SearchResult(algorithm: algorithm, space: space, dataset: dataset, timeBudget: budget, proxySchedule: proxy,
                            finalSchedule: final, benchmark: root["benchmark"] as? String ?? "", archStrings: strings,
                            testAccuracy: accuracy, runs: runs)
    }
}
