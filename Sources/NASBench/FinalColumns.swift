import HDF5
import NASCore

/// Whole-table reads for `find_best` and `table`: one value per run at one epoch, grouped
/// into per-architecture means the way upstream averages seeds (numpy's mean over the seeds
/// in seed order). The last epoch comes from the `final/` columns (a few contiguous reads);
/// another epoch is one column of the per-epoch arrays.
struct RunColumns {
    let archIndex: [Int64]
    /// Runs of each architecture: contiguous row ranges in table order.
    let groups: [(index: Int, rows: Range<Int>)]

    init(table: RunTableReader) throws {
        let all = 0..<table.rows
        archIndex = table.rows == 0 ? [] : try table.ints("final/arch_index", all)
        var groups: [(Int, Range<Int>)] = []
        var start = 0
        for i in 0..<archIndex.count where i + 1 == archIndex.count || archIndex[i + 1] != archIndex[i] {
            groups.append((Int(archIndex[i]), start..<(i + 1)))
            start = i + 1
        }
        self.groups = groups
    }

    /// Per-run values of `metric` ("train_acc1", "x-valid_loss", "flop", ...) at `epoch`
    /// (nil = last); NaN where a run did not record it.
    static func values(_ table: RunTableReader, metric: String, epoch: Int?) throws -> [Double] {
        let all = 0..<table.rows
        guard table.rows > 0 else { return [] }
        guard let e = epoch, e != table.epochs - 1, !["flop", "params", "latency"].contains(metric) else {
            return try table.doubles("final/\(metric)", all)
        }
        guard (0..<table.epochs).contains(e) else { throw QueryError.epochOutOfRange(epoch: e, epochs: table.epochs) }
        let (path, maskPath, bit): (String, String, UInt8)
        let parts = metric.split(separator: "_").map(String.init)
        let (set, quantity) = (parts.dropLast().joined(separator: "_"), parts.last!)
        if set == "train" {
            path = "train/\(quantity)"; maskPath = "train/present"
            bit = quantity == "acc1" ? BenchmarkLayout.TrainBit.acc1 : BenchmarkLayout.TrainBit.loss
        } else {
            path = "eval/\(set)/\(quantity)"; maskPath = "eval/\(set)/present"
            bit = quantity == "acc1" ? BenchmarkLayout.EvalBit.acc1 : BenchmarkLayout.EvalBit.loss
        }
        let values = try table.column(path).read(as: Double.self, start: [0, e], count: [table.rows, 1])
        let mask = try table.column(maskPath).read(as: UInt8.self, start: [0, e], count: [table.rows, 1])
        return zip(values, mask).map { $1 & bit != 0 ? $0 : .nan }
    }

    /// numpy mean over an architecture's runs; nil when a run lacks the value.
    static func mean(_ values: [Double], _ rows: Range<Int>) -> Double? {
        let xs = Array(values[rows])
        guard !xs.contains(where: \.isNaN) else { return nil }
        return NumpyReduction.mean(xs)
    }
}

/// Every run's FLOPs and params in a table, made one value an architecture by the benchmark's
/// cost rule, as `get_compute_costs` does (`CostRule`: the mean, or NATS-Bench's seed 888).
struct RunCosts {
    enum Quantity: String { case flops = "FLOPs", params }

    let flops: [Double], params: [Double], seeds: [Int]
    let rule: CostRule, dataset: String

    init(table: RunTableReader, rule: CostRule) throws {
        flops = try RunColumns.values(table, metric: "flop", epoch: nil)
        params = try RunColumns.values(table, metric: "params", epoch: nil)
        seeds = table.rows == 0 ? [] : try table.ints("seed", 0..<table.rows).map(Int.init)
        self.rule = rule
        dataset = table.dataset
    }

    /// Architecture `index`'s value, its runs being `rows`; throws where the rule has no answer.
    func value(_ quantity: Quantity, index: Int, rows: Range<Int>) throws -> Double {
        let values = quantity == .flops ? flops : params
        return try rule.combine(Array(values[rows]), seeds: Array(seeds[rows]), quantity: quantity.rawValue,
                                index: index, dataset: dataset)
    }

    /// The same, or nil where a run lacks the value or the rule has no answer (a table cell).
    func valueIfAny(_ quantity: Quantity, index: Int, rows: Range<Int>) -> Double? {
        guard !(quantity == .flops ? flops : params)[rows].contains(where: \.isNaN) else { return nil }
        return try? value(quantity, index: index, rows: rows)
    }
}

extension Benchmark {
    /// `find_best(dataset, metric_on_set, FLOP_max, Param_max, hp)`: the evaluated architecture
    /// with the highest mean top-1 on `set` at the last epoch (or `epoch`), among those whose mean
    /// FLOPs / params do not exceed the limits (MFLOPs, M params). Ties go to the lower index, as
    /// upstream's strict comparison over sorted indexes does. nil when nothing qualifies
    /// (upstream's `(-1, None)`). Like upstream, an evaluated architecture without results for
    /// the set is an error.
    public func findBest(dataset: String, set: String, schedule: Schedule, maxFlops: Double? = nil,
                         maxParams: Double? = nil, epoch: Int? = nil) throws -> (index: Int, accuracy: Double)? {
        var (d, s) = remapDatasetAndSet(dataset: dataset, set: set)
        if s == "valid" { s = "x-valid" }  // get_eval reads 'valid' as x-valid
        guard ["train", "x-valid", "x-test", "ori-test"].contains(s) else { throw QueryError.unknownMetric(set) }
        let evaluated = try evaluatedIndexes()
        guard let table = try table(schedule, d) else {
            guard let first = evaluated.first else { return nil }
            throw QueryError.noSuchDataset(index: first, dataset: d, available: try datasets(schedule: schedule))
        }
        let columns = try RunColumns(table: table)
        // Costs are read only for a limit. Upstream works out both (and raises where either has
        // no answer) for either limit.
        let costs = maxFlops != nil || maxParams != nil ? try RunCosts(table: table, rule: costRule) : nil
        let accuracy = try RunColumns.values(table, metric: "\(s)_acc1", epoch: epoch)
        var rowsOf: [Int: Range<Int>] = [:]
        for g in columns.groups { rowsOf[g.index] = g.rows }
        var best: (index: Int, accuracy: Double)?
        for index in evaluated {
            guard let rows = rowsOf[index] else {
                throw QueryError.noSuchDataset(index: index, dataset: d, available: [])
            }
            if let costs {
                let (flop, param) = (try costs.value(.flops, index: index, rows: rows), try costs.value(.params, index: index, rows: rows))
                if let maxFlops, flop > maxFlops { continue }
                if let maxParams, param > maxParams { continue }
            }
            guard let acc = RunColumns.mean(accuracy, rows) else {
                throw QueryError.notRecorded(index: index, dataset: d, seed: -1,
                                             what: "\(s) accuracy", epoch: epoch ?? table.epochs - 1)
            }
            if best == nil || best!.accuracy < acc { best = (index, acc) }
        }
        return best
    }
}
