import Foundation
import HDF5
import Tensors
import NASCore

/// Appends the runs of one (schedule, data set) to its group, a batch of rows at a time,
/// so memory stays at one batch however many runs the benchmark has.
final class RunTableWriter {
    let group: Group
    let epochs: Int
    let dataset: String
    private let deflate: Int?
    private var rows = 0
    private var latencyValues = 0
    private var rowStart = [Int64](repeating: -1, count: SearchSpace.count)
    private var rowCount = [Int64](repeating: 0, count: SearchSpace.count)
    private var pending = Batch()
    private static let batchRows = 512

    /// Column buffers of the rows not yet written.
    private struct Batch {
        var ints: [String: [Int64]] = [:]
        var doubles: [String: [Double]] = [:]
        var strings: [String: [String]] = [:]
        var bytes: [String: [UInt8]] = [:]
        var latencyValues: [Double] = []
        var count = 0

        mutating func int(_ k: String, _ v: Int) { ints[k, default: []].append(Int64(v)) }
        mutating func double(_ k: String, _ v: Double) { doubles[k, default: []].append(v) }
        mutating func string(_ k: String, _ v: String) { strings[k, default: []].append(v) }

        /// Appends one row of `series` (NaN where absent) and sets `bit` in `mask` where present.
        mutating func matrix(_ k: String, _ series: EpochSeries?, epochs: Int, _ mask: inout [UInt8], _ bit: UInt8) {
            var row = [Double](repeating: .nan, count: epochs)
            if let series {
                for e in 0..<epochs { if let v = series[e] { row[e] = v; mask[e] |= bit } }
            }
            doubles[k, default: []] += row
        }
    }

    static let intColumns = ["arch_index", "seed", "epochs", "channel", "num_cells", "class_num",
                             "latency_start", "latency_count", "final/arch_index", "final/seed"]
    static let doubleColumns = ["params", "flop"] + BenchmarkLayout.finalColumns.map { "final/\($0)" }
    static let stringColumns = ["seed_field", "arch_str", "eval_names"]
    static var matrixColumns: [String] {
        ["train/acc1", "train/loss", "train/acc5", "train/time"]
            + BenchmarkLayout.evaluationSets.flatMap { ["eval/\($0)/acc1", "eval/\($0)/loss", "eval/\($0)/time"] }
    }
    static var maskColumns: [String] { ["train/present"] + BenchmarkLayout.evaluationSets.map { "eval/\($0)/present" } }

    init(group: Group, dataset: String, epochs: Int, deflate: Int?) throws {
        self.group = group
        self.dataset = dataset
        self.epochs = epochs
        self.deflate = deflate
        let chunk = [BenchmarkLayout.columnChunk]
        for sub in ["train", "final"] + BenchmarkLayout.evaluationSets.map({ "eval/\($0)" }) { try group.createGroup(sub) }
        for name in Self.intColumns { try group.createDataset(name, dtype: .int64, shape: [0], maxShape: [nil], chunks: chunk) }
        for name in Self.doubleColumns { try group.createDataset(name, dtype: .float64, shape: [0], maxShape: [nil], chunks: chunk) }
        for name in Self.stringColumns { try group.createStringDataset(name, [], extensible: true, chunk: 1024) }
        try group.createDataset("latency_values", dtype: .float64, shape: [0], maxShape: [nil], chunks: chunk)
        try group.createDataset("train/dicts", dtype: .uint8, shape: [0], maxShape: [nil], chunks: chunk)
        let rowsChunk = [BenchmarkLayout.epochChunkRows, epochs]
        for name in Self.matrixColumns {
            try group.createDataset(name, dtype: .float64, shape: [0, epochs], maxShape: [nil, epochs],
                                    chunks: rowsChunk, shuffle: deflate != nil, deflate: deflate)
        }
        for name in Self.maskColumns {
            try group.createDataset(name, dtype: .uint8, shape: [0, epochs], maxShape: [nil, epochs],
                                    chunks: rowsChunk, shuffle: false, deflate: deflate ?? 1)
        }
        try group.setAttribute("epochs", .int(Int64(epochs)))
        try group.setAttribute("class_num", .int(Int64(NB201Dataset(name: dataset)?.classCount ?? -1)))
    }

    /// Appends the runs of one architecture (rows in seed order).
    func append(archIndex: Int, runs: [(seed: Int, result: ResultsCount)], file: String) throws {
        guard (0..<SearchSpace.count).contains(archIndex) else {
            throw BenchmarkFormatError(file: file, location: "arch \(archIndex)", reason: "arch_index outside 0..<15625")
        }
        guard rowStart[archIndex] < 0 else {
            throw BenchmarkFormatError(file: file, location: "arch \(archIndex)",
                                       reason: "results for \(dataset) appear twice")
        }
        rowStart[archIndex] = Int64(rows + pending.count)
        rowCount[archIndex] = Int64(runs.count)
        for (seed, r) in runs { try add(archIndex: archIndex, seed: seed, r, file: file) }
        if pending.count >= Self.batchRows { try flush() }
    }

    private func add(archIndex: Int, seed: Int, _ r: ResultsCount, file: String) throws {
        let where_ = "arch \(archIndex) \(dataset) seed \(seed)"
        guard r.epochs == epochs else {
            throw BenchmarkFormatError(file: file, location: where_, reason: "\(r.epochs) epochs where the other runs have \(epochs)")
        }
        for name in r.evalAcc1.keys.sorted() + r.evalLoss.keys.sorted() + r.evalTimes.keys.sorted()
            where !BenchmarkLayout.evaluationSets.contains(name) {
            throw BenchmarkFormatError(file: file, location: where_, reason: "unsupported evaluation set '\(name)'")
        }
        for name in r.evalNames where name.contains(",") {
            throw BenchmarkFormatError(file: file, location: where_, reason: "evaluation set name '\(name)' contains a comma")
        }
        let E = epochs
        pending.int("arch_index", archIndex); pending.int("seed", seed); pending.int("epochs", r.epochs)
        pending.int("channel", r.archConfig.channel); pending.int("num_cells", r.archConfig.numCells)
        pending.int("class_num", r.archConfig.classCount)
        pending.int("final/arch_index", archIndex); pending.int("final/seed", seed)
        pending.double("params", r.params); pending.double("flop", r.flop)
        switch r.seed {
        case .string(let s): pending.string("seed_field", "s:" + s)
        case .int(let i): pending.string("seed_field", "i:\(i)")
        case .none: pending.string("seed_field", "n:")
        }
        pending.string("arch_str", r.archConfig.archString)
        pending.string("eval_names", r.evalNames.joined(separator: ","))
        if let latency = r.latency {
            pending.int("latency_start", latencyValues + pending.latencyValues.count)
            pending.int("latency_count", latency.count)
            pending.latencyValues += latency
        } else {
            pending.int("latency_start", -1); pending.int("latency_count", -1)
        }
        var trainMask = [UInt8](repeating: 0, count: E)
        pending.matrix("train/acc1", r.trainAcc1, epochs: E, &trainMask, BenchmarkLayout.TrainBit.acc1)
        pending.matrix("train/loss", r.trainLoss, epochs: E, &trainMask, BenchmarkLayout.TrainBit.loss)
        pending.matrix("train/acc5", r.trainAcc5, epochs: E, &trainMask, BenchmarkLayout.TrainBit.acc5)
        pending.matrix("train/time", r.trainTimes, epochs: E, &trainMask, BenchmarkLayout.TrainBit.time)
        pending.bytes["train/present", default: []] += trainMask
        pending.bytes["train/dicts", default: []].append((r.trainAcc5 != nil ? BenchmarkLayout.TrainDictBit.acc5 : 0)
            | (r.trainTimes != nil ? BenchmarkLayout.TrainDictBit.times : 0))
        var finals: [String: Double] = [:]
        for set in BenchmarkLayout.evaluationSets {
            var mask = [UInt8](repeating: 0, count: E)
            pending.matrix("eval/\(set)/acc1", r.evalAcc1[set], epochs: E, &mask, BenchmarkLayout.EvalBit.acc1)
            pending.matrix("eval/\(set)/loss", r.evalLoss[set], epochs: E, &mask, BenchmarkLayout.EvalBit.loss)
            pending.matrix("eval/\(set)/time", r.evalTimes[set], epochs: E, &mask, BenchmarkLayout.EvalBit.time)
            pending.bytes["eval/\(set)/present", default: []] += mask
            finals["\(set)_acc1"] = r.evalAcc1[set]?[E - 1] ?? .nan
            finals["\(set)_loss"] = r.evalLoss[set]?[E - 1] ?? .nan
        }
        finals["flop"] = r.flop
        finals["params"] = r.params
        finals["latency"] = r.meanLatency ?? .nan
        finals["train_acc1"] = r.trainAcc1[E - 1] ?? .nan
        finals["train_loss"] = r.trainLoss[E - 1] ?? .nan
        for name in BenchmarkLayout.finalColumns { pending.double("final/\(name)", finals[name]!) }
        pending.count += 1
    }

    func flush() throws {
        let n = pending.count
        guard n > 0 else { return }
        let start = rows
        for (name, values) in pending.ints { try appendColumn(name, values, start: start) }
        for (name, values) in pending.doubles where !name.contains("/") || name.hasPrefix("final/") {
            try appendColumn(name, values, start: start)
        }
        for name in Self.matrixColumns { try appendMatrix(name, pending.doubles[name]!, start: start, rows: n) }
        for name in Self.maskColumns { try appendMatrix(name, pending.bytes[name]!, start: start, rows: n) }
        try appendColumn("train/dicts", pending.bytes["train/dicts"]!, start: start)
        for (name, values) in pending.strings {
            let ds = try group.openDataset(name)
            try ds.extend(firstDimensionTo: start + n)
            try ds.writeStrings(values, start: start)
        }
        if !pending.latencyValues.isEmpty {
            try appendColumn("latency_values", pending.latencyValues, start: latencyValues)
            latencyValues += pending.latencyValues.count
        }
        rows += n
        pending = Batch()
    }

    private func appendColumn<T: TensorScalar>(_ name: String, _ values: [T], start: Int) throws {
        let ds = try group.openDataset(name)
        try ds.extend(firstDimensionTo: start + values.count)
        try ds.write(values, start: [start], count: [values.count])
    }

    private func appendMatrix<T: TensorScalar>(_ name: String, _ values: [T], start: Int, rows n: Int) throws {
        let ds = try group.openDataset(name)
        try ds.extend(firstDimensionTo: start + n)
        try ds.write(values, start: [start, 0], count: [n, epochs])
    }

    /// Writes the last batch and the per-index row ranges; returns the number of rows.
    @discardableResult
    func finish() throws -> Int {
        try flush()
        try group.createDataset("row_start", dtype: .int64, shape: [SearchSpace.count]).write(rowStart)
        try group.createDataset("row_count", dtype: .int64, shape: [SearchSpace.count]).write(rowCount)
        try group.setAttribute("rows", .int(Int64(rows)))
        return rows
    }
}
