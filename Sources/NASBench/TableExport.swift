import Foundation
import NASDataIO
import NASCore

/// One row of `nasdata table`: an architecture's seed-averaged last-epoch results on one data
/// set and schedule (nil fields: not evaluated, or a seed lacks the value).
public struct TableRow: Sendable {
    public var index: Int
    public var arch: String
    public var seeds: Int
    public var flops: Double?
    public var params: Double?
    public var latency: Double?
    /// Metric name ("train_acc1", "x-valid_loss", ...) -> value, in `TableRow.metricNames` order.
    public var metrics: [Double?]

    /// The metric columns of every table.
    public static let metricNames = ["train_acc1", "train_loss"]
        + BenchmarkLayout.evaluationSets.flatMap { ["\($0)_acc1", "\($0)_loss"] }
}

extension Benchmark {
    /// One row per architecture in index order (all of `meta_archs`), from whole-column reads.
    public func table(dataset: String, schedule: Schedule) throws -> [TableRow] {
        let archs = try metaArchs()
        var rows = archs.enumerated().map { TableRow(index: $0.offset, arch: $0.element, seeds: 0, flops: nil, params: nil,
                                                     latency: nil, metrics: Array(repeating: nil, count: TableRow.metricNames.count)) }
        guard let table = try table(schedule, dataset) else { return rows }
        let columns = try RunColumns(table: table)
        let costs = try RunCosts(table: table, rule: costRule)
        let latency = try RunColumns.values(table, metric: "latency", epoch: nil)
        let metrics = try TableRow.metricNames.map { try RunColumns.values(table, metric: $0, epoch: nil) }
        for g in columns.groups where rows.indices.contains(g.index) {
            rows[g.index].seeds = g.rows.count
            // As `query` gives them; empty where a run lacks the value or NATS-Bench's API has no
            // answer (the seeds disagree and none is 888).
            rows[g.index].flops = costs.valueIfAny(.flops, index: g.index, rows: g.rows)
            rows[g.index].params = costs.valueIfAny(.params, index: g.index, rows: g.rows)
            // Upstream: mean over the seeds that have a latency.
            let lat = latency[g.rows].filter { !$0.isNaN && $0 > 0 }
            rows[g.index].latency = lat.isEmpty ? nil : NumpyReduction.mean(Array(lat))
            rows[g.index].metrics = metrics.map { RunColumns.mean($0, g.rows) }
        }
        return rows
    }

    /// Writes `table(dataset:schedule:)` as CSV (header + one line per architecture), atomically.
    /// Numbers are printed with Swift's shortest round-trip representation, so they read back exactly.
    public func exportTable(dataset: String, schedule: Schedule, to path: String) throws -> Int {
        let rows = try table(dataset: dataset, schedule: schedule)
        var text = (["index", "arch", "seeds", "flops", "params", "latency"] + TableRow.metricNames).joined(separator: ",") + "\n"
        text.reserveCapacity(rows.count * 240)
        func f(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
        for r in rows {
            text += "\(r.index),\"\(r.arch)\",\(r.seeds),\(f(r.flops)),\(f(r.params)),\(f(r.latency))"
            for m in r.metrics { text += "," + f(m) }
            text += "\n"
        }
        try AtomicOutput.write(to: path) { temp in
            guard FileManager.default.createFile(atPath: temp, contents: Data(text.utf8)) else {
                throw IOError.system(operation: "create", path: temp, errno: errno)
            }
        }
        return rows.count
    }
}

/// What `nasdata table` asks: every architecture's row on one data set, as CSV.
public struct TableRequest: Sendable {
    public var benchmark: String
    public var dataset: String
    /// nil = the full schedule of the benchmark's search space.
    public var schedule: Schedule?
    public var output: String

    public init(benchmark: String, dataset: String, schedule: Schedule? = nil, output: String) {
        self.benchmark = benchmark
        self.dataset = dataset
        self.schedule = schedule
        self.output = output
    }
}

/// The CSV written and its row count.
public struct TableResult: Sendable {
    public var output: String
    public var rows: Int
    public var dataset: String
    public var schedule: Schedule

    public var json: JSONValue {
        .object([("output", .string(output)), ("rows", .int(Int64(rows))), ("dataset", .string(dataset)), ("hp", .string(schedule.rawValue))])
    }

    public var line: String { "\(output): \(rows) rows (\(dataset), hp \(schedule.rawValue))" }
}

extension BenchmarkQuery {
    /// Opens the benchmark and writes the table (atomically). Throws `QueryError`.
    public static func table(_ request: TableRequest) throws -> TableResult {
        let bench = try Benchmark(path: request.benchmark)
        let schedule = request.schedule ?? bench.searchSpace.fullSchedule
        let rows = try bench.exportTable(dataset: request.dataset, schedule: schedule, to: request.output)
        return TableResult(output: request.output, rows: rows, dataset: request.dataset, schedule: schedule)
    }
}
