import NASCore

/// Whole-table reads for callers that answer many queries from memory (the simulated
/// searches of `NASSearch`): every run of one (schedule, data set) at once, and per-architecture
/// means of a last-epoch column. Rows of an architecture come in the file's own seed order.
extension Benchmark {
    /// Every run of `dataset` under `schedule`, in table order (architectures contiguous, seeds
    /// in the file's `dataset_seed` order); nil when the file has no such table.
    public func allRuns(schedule: Schedule, dataset: String) throws -> [(index: Int, seed: Int, result: ResultsCount)]? {
        guard let table = try table(schedule, dataset) else { return nil }
        guard table.rows > 0 else { return [] }
        let all = 0..<table.rows
        let indexes = try table.ints("arch_index", all)
        return try zip(indexes, table.runs(all)).map { (Int($0), $1.seed, $1.result) }
    }

    /// Per architecture index: the numpy mean over its runs of the last-epoch column `metric`
    /// (`ori-test_acc1`, `x-test_acc1`, ...), what `get_more_info(..., is_random=False)` reports;
    /// nil where the architecture has no runs or a run lacks the value. nil when the table is missing.
    public func lastEpochMeans(metric: String, schedule: Schedule, dataset: String) throws -> [Int: Double]? {
        guard let table = try table(schedule, dataset) else { return nil }
        let columns = try RunColumns(table: table)
        let values = try RunColumns.values(table, metric: metric, epoch: nil)
        var out: [Int: Double] = [:]
        for group in columns.groups { if let m = RunColumns.mean(values, group.rows) { out[group.index] = m } }
        return out
    }
}

extension Benchmark {
    /// Indexes with at least one run of `dataset` under `schedule` (nil when the table is missing).
    public func indexesWithRuns(schedule: Schedule, dataset: String) throws -> Set<Int>? {
        guard let table = try table(schedule, dataset) else { return nil }
        let counts = try table.column("row_count").read(as: Int64.self)
        return Set(counts.indices.filter { counts[$0] > 0 })
    }
}
