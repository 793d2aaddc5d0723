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
        let flops = try RunColumns.values(table, metric: "flop", epoch: nil)
        let params = try RunColumns.values(table, metric: "params", epoch: nil)
        let latency = try RunColumns.values(table, metric: "latency", epoch: nil)
        let metrics = try TableRow.metricNames.map { try RunColumns.values(table, metric: $0, epoch: nil) }
        for g in columns.groups where rows.indices.contains(g.index) {
            rows[g.index].seeds = g.rows.count
            rows[g.index].flops = RunColumns.mean(flops, g.rows)
            rows[g.index].params = RunColumns.mean(params, g.rows)
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
