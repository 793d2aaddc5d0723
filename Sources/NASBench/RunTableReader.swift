import HDF5

/// Reads runs back from one (schedule, data set) group of an HDF5 benchmark.
final class RunTableReader {
    let group: Group
    let dataset: String
    let epochs: Int
    let rows: Int
    private var open: [String: Dataset] = [:]

    init(group: Group, dataset: String) throws {
        self.group = group
        self.dataset = dataset
        epochs = Int(try group.attribute("epochs")?.intValue ?? 0)
        rows = Int(try group.attribute("rows")?.intValue ?? 0)
    }

    func column(_ name: String) throws -> Dataset {
        if let d = open[name] { return d }
        let d = try group.openDataset(name)
        open[name] = d
        return d
    }

    /// The rows of `index`, or nil when it has none here.
    func rowRange(of index: Int) throws -> Range<Int>? {
        let start = try column("row_start").read(as: Int64.self, start: [index], count: [1])[0]
        let count = try column("row_count").read(as: Int64.self, start: [index], count: [1])[0]
        guard start >= 0, count > 0 else { return nil }
        return Int(start)..<Int(start + count)
    }

    func ints(_ name: String, _ r: Range<Int>) throws -> [Int64] {
        try column(name).read(as: Int64.self, start: [r.lowerBound], count: [r.count])
    }

    func doubles(_ name: String, _ r: Range<Int>) throws -> [Double] {
        try column(name).read(as: Double.self, start: [r.lowerBound], count: [r.count])
    }

    func strings(_ name: String, _ r: Range<Int>) throws -> [String] {
        try column(name).readStrings(start: r.lowerBound, count: r.count)
    }

    func matrix(_ name: String, _ r: Range<Int>) throws -> [Double] {
        try column(name).read(as: Double.self, start: [r.lowerBound, 0], count: [r.count, epochs])
    }

    func mask(_ name: String, _ r: Range<Int>) throws -> [UInt8] {
        try column(name).read(as: UInt8.self, start: [r.lowerBound, 0], count: [r.count, epochs])
    }

    /// The runs in `rows`, as (seed, ResultsCount), rebuilt exactly as the source dicts were.
    func runs(_ r: Range<Int>) throws -> [(seed: Int, result: ResultsCount)] {
        let E = epochs
        let seeds = try ints("seed", r), epochCounts = try ints("epochs", r)
        let channel = try ints("channel", r), cells = try ints("num_cells", r), classes = try ints("class_num", r)
        let latStart = try ints("latency_start", r), latCount = try ints("latency_count", r)
        let params = try doubles("params", r), flop = try doubles("flop", r)
        let seedFields = try strings("seed_field", r), archStrs = try strings("arch_str", r)
        let evalNames = try strings("eval_names", r)
        // Schema v1 files have no size-space arch_config columns.
        let hasConfig = try group.exists("config_name")
        let configNames = hasConfig ? try strings("config_name", r) : [], channelStrs = hasConfig ? try strings("channels", r) : []
        let genotypes = hasConfig ? try strings("genotype", r) : []
        func optional(_ column: [String], _ i: Int) -> String? { column.isEmpty || column[i].isEmpty ? nil : column[i] }
        let dicts = try column("train/dicts").read(as: UInt8.self, start: [r.lowerBound], count: [r.count])
        let trainMask = try mask("train/present", r)
        var train: [String: [Double]] = [:]
        for name in ["acc1", "loss", "acc5", "time"] { train[name] = try matrix("train/\(name)", r) }
        var evals: [String: (acc1: [Double], loss: [Double], time: [Double], mask: [UInt8])] = [:]
        for set in BenchmarkLayout.evaluationSets {
            evals[set] = (try matrix("eval/\(set)/acc1", r), try matrix("eval/\(set)/loss", r),
                          try matrix("eval/\(set)/time", r), try mask("eval/\(set)/present", r))
        }
        var out: [(Int, ResultsCount)] = []
        for i in 0..<r.count {
            func series(_ values: [Double], _ mask: [UInt8], _ bit: UInt8) -> EpochSeries {
                EpochSeries(values: (0..<E).map { e in mask[i * E + e] & bit != 0 ? values[i * E + e] : nil })
            }
            func anyBit(_ mask: [UInt8], _ bit: UInt8) -> Bool { (0..<E).contains { mask[i * E + $0] & bit != 0 } }
            var latency: [Double]?
            if latCount[i] >= 0 {
                latency = latCount[i] == 0 ? [] : try doubles("latency_values", Int(latStart[i])..<Int(latStart[i] + latCount[i]))
            }
            let field = seedFields[i]
            let seed: SeedField = field.hasPrefix("s:") ? .string(String(field.dropFirst(2)))
                : field.hasPrefix("i:") ? .int(Int(field.dropFirst(2)) ?? 0) : .none
            var acc1: [String: EpochSeries] = [:], loss: [String: EpochSeries] = [:], time: [String: EpochSeries] = [:]
            for set in BenchmarkLayout.evaluationSets {
                let ev = evals[set]!
                if anyBit(ev.mask, BenchmarkLayout.EvalBit.acc1) { acc1[set] = series(ev.acc1, ev.mask, BenchmarkLayout.EvalBit.acc1) }
                if anyBit(ev.mask, BenchmarkLayout.EvalBit.loss) { loss[set] = series(ev.loss, ev.mask, BenchmarkLayout.EvalBit.loss) }
                if anyBit(ev.mask, BenchmarkLayout.EvalBit.time) { time[set] = series(ev.time, ev.mask, BenchmarkLayout.EvalBit.time) }
            }
            let result = ResultsCount(
                dataset: dataset, seed: seed, epochs: Int(epochCounts[i]), params: params[i], flop: flop[i],
                archConfig: ArchConfig(channel: Int(channel[i]), numCells: Int(cells[i]), archString: archStrs[i],
                                       classCount: Int(classes[i]), name: optional(configNames, i),
                                       channels: optional(channelStrs, i), genotype: optional(genotypes, i)),
                latency: latency,
                trainAcc1: series(train["acc1"]!, trainMask, BenchmarkLayout.TrainBit.acc1),
                trainAcc5: dicts[i] & BenchmarkLayout.TrainDictBit.acc5 != 0
                    ? series(train["acc5"]!, trainMask, BenchmarkLayout.TrainBit.acc5) : nil,
                trainLoss: series(train["loss"]!, trainMask, BenchmarkLayout.TrainBit.loss),
                trainTimes: dicts[i] & BenchmarkLayout.TrainDictBit.times != 0
                    ? series(train["time"]!, trainMask, BenchmarkLayout.TrainBit.time) : nil,
                evalNames: evalNames[i].isEmpty ? [] : evalNames[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init),
                evalAcc1: acc1, evalLoss: loss, evalTimes: time)
            out.append((Int(seeds[i]), result))
        }
        return out
    }
}
