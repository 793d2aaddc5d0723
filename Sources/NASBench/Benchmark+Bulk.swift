import NASCore

/// Whole-table reads for callers that answer many queries from memory (the simulated
/// searches of `NASSearch`): every run of one (schedule, data set) at once, and per-architecture
/// means of a last-epoch column. Rows of an architecture come in the file's own seed order.
extension Benchmark {
    /// The per-epoch columns of every run of `dataset` under `schedule` that a simulated search reads
    /// (train times, and accuracy + times of every evaluation set, with their presence bits), in table
    /// order: architectures contiguous, seeds in the file's `dataset_seed` order. nil when the table is missing.
    public func runColumns(schedule: Schedule, dataset: String) throws -> RunColumnsTable? {
        guard let table = try table(schedule, dataset) else { return nil }
        let all = 0..<table.rows
        guard table.rows > 0 else {
            return RunColumnsTable(epochs: table.epochs, archIndex: [], seed: [], trainTimesRecorded: [], trainPresent: [],
                                   trainTime: [], evalPresent: [:], evalAccuracy: [:], evalTime: [:])
        }
        let dicts = try table.column("train/dicts").read(as: UInt8.self, start: [0], count: [table.rows])
        var present: [String: [UInt8]] = [:], accuracy: [String: [Double]] = [:], time: [String: [Double]] = [:]
        for set in BenchmarkLayout.evaluationSets {
            present[set] = try table.mask("eval/\(set)/present", all)
            accuracy[set] = try table.matrix("eval/\(set)/acc1", all)
            time[set] = try table.matrix("eval/\(set)/time", all)
        }
        return RunColumnsTable(epochs: table.epochs, archIndex: try table.ints("arch_index", all).map(Int.init),
                               seed: try table.ints("seed", all).map(Int.init),
                               trainTimesRecorded: dicts.map { $0 & BenchmarkLayout.TrainDictBit.times != 0 },
                               trainPresent: try table.mask("train/present", all), trainTime: try table.matrix("train/time", all),
                               evalPresent: present, evalAccuracy: accuracy, evalTime: time)
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

/// Columns of one (schedule, data set) table, row-major `[row * epochs + epoch]`, with the layout's
/// presence bits (`BenchmarkLayout.TrainBit`, `EvalBit`): what `ResultsCount.train` / `eval` read,
/// for callers that answer thousands of queries per second (`NASSearch`).
public struct RunColumnsTable: Sendable {
    public let epochs: Int
    public let archIndex: [Int]
    public let seed: [Int]
    /// `train_times` was a dict (not None).
    public let trainTimesRecorded: [Bool]
    public let trainPresent: [UInt8]
    public let trainTime: [Double]
    /// Per evaluation set (`x-valid`, `x-test`, `ori-test`).
    public let evalPresent: [String: [UInt8]]
    public let evalAccuracy: [String: [Double]]
    public let evalTime: [String: [Double]]

    public var rows: Int { archIndex.count }

    /// `get_train(epoch)['all_time']` of a row: the left-to-right sum of its train times up to `epoch`;
    /// `.failure` where upstream raises (accuracy, loss or a time missing), `.success(nil)` where the
    /// run has no train times (None).
    public func trainAllTime(row: Int, epoch e: Int) -> Result<Double?, QueryError> {
        let base = row * epochs
        let need = BenchmarkLayout.TrainBit.acc1 | BenchmarkLayout.TrainBit.loss
        guard trainPresent[base + e] & need == need else { return .failure(.notRecorded(index: archIndex[row], dataset: "", seed: seed[row], what: "train metrics", epoch: e)) }
        guard trainTimesRecorded[row] else { return .success(nil) }
        var sum = 0.0
        for i in 0...e {
            guard trainPresent[base + i] & BenchmarkLayout.TrainBit.time != 0 else {
                return .failure(.notRecorded(index: archIndex[row], dataset: "", seed: seed[row], what: "train time", epoch: i))
            }
            sum += trainTime[base + i]
        }
        return .success(sum)
    }

    /// `get_eval(set, epoch)` of a row: accuracy and `all_time` (nil when the run has no evaluation
    /// times at all); `.failure` where upstream raises.
    public func eval(_ set: String, row: Int, epoch e: Int) -> Result<(accuracy: Double, allTime: Double?), QueryError> {
        let base = row * epochs
        func missing(_ what: String, _ at: Int) -> Result<(accuracy: Double, allTime: Double?), QueryError> {
            .failure(.notRecorded(index: archIndex[row], dataset: "", seed: seed[row], what: "\(set) \(what)", epoch: at))
        }
        guard let mask = evalPresent[set], let acc = evalAccuracy[set], let times = evalTime[set] else { return missing("accuracy", e) }
        // Upstream reads times whenever the run's eval_times dict is non-empty, for any set.
        let anyTimes = evalPresent.values.contains { m in (0..<epochs).contains { m[base + $0] & BenchmarkLayout.EvalBit.time != 0 } }
        var allTime: Double?
        if anyTimes {
            var sum = 0.0
            for i in 0...e {
                guard mask[base + i] & BenchmarkLayout.EvalBit.time != 0 else { return missing("time", i) }
                sum += times[base + i]
            }
            allTime = sum
        }
        guard mask[base + e] & BenchmarkLayout.EvalBit.loss != 0 else { return missing("loss", e) }
        guard mask[base + e] & BenchmarkLayout.EvalBit.acc1 != 0 else { return missing("accuracy", e) }
        return .success((acc[base + e], allTime))
    }
}
