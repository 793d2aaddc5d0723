import NASBench
import NASCore

/// The benchmark as the searches query it: upstream's `simulate_train_eval(arch, dataset, iepoch, hp)`
/// answered from memory, draw for draw. Built once from the HDF5 benchmark (one bulk read per table),
/// then shared read-only by every run on every core.
///
/// What one evaluation does (nats_bench `simulate_train_eval` + `get_more_info(is_random=True)`):
/// draw one seed with `random.choice(seeds)` (the seeds in the file's order), read that trial's
/// train metrics and `x-valid` at the epoch; the reward is the valid accuracy and the cost
/// `train-all-time + valid-per-time` (sum of train times up to the epoch, left to right, plus the
/// summed eval times divided by the epoch count). Where `x-valid` cannot be read at that epoch
/// (cifar100 / ImageNet16-120 only; for cifar10-valid upstream raises), the reward is the `ori-test`
/// accuracy (`valtest`) and the cost's valid part comes from a second `get_more_info` call at the
/// last epoch, which draws a second seed. Anything upstream would raise on is a `SearchError`.
public final class SimulatedBenchmark: Sendable {
    /// The benchmark's search space (topology cells or channel sizes).
    public let space: SearchSpaceKind
    public let dataset: SearchDataset
    public let proxySchedule: Schedule
    public let finalSchedule: Schedule
    public let file: String
    /// Epochs of the proxy schedule.
    public let epochs: Int
    /// Architecture strings by index (`meta_archs`).
    public let archStrings: [String]
    /// Choice code (`SearchSpaceKind.code`: the cell's enumeration code, the channels' canonical index)
    /// -> benchmark index, -1 where meta_archs lacks it.
    let indexOfCode: [Int32]
    /// Runs of each index: rows rowStart[i] ..< rowStart[i] + rowCount[i].
    let rowStart: [Int32]
    let rowCount: [Int32]
    let seeds: [Int]
    /// Per row and epoch (row * epochs + e); NaN = not available (see `reason`).
    let trainAllTime: [Double]
    let validAccuracy: [Double]
    let validPerTime: [Double]
    let valtestAccuracy: [Double]
    /// Per index and epoch: bit 1 train metrics raise, 2 x-valid raises, 4 ori-test raises.
    let raises: [UInt8]
    /// Whether the index has the data set under the proxy schedule for `get_latency`.
    let hasLatencyRuns: [Bool]
    /// Reported test accuracy per index (final schedule, mean over seeds, last epoch); NaN = none.
    let finalTest: [Double]
    /// The cheapest full-schedule evaluation in the benchmark (a budget below it cannot fit one).
    public let cheapestEvaluation: Double

    /// Opens the tables the search of `dataset` needs; a missing table is a `SearchError`.
    /// `final` defaults to the space's full schedule (200 tss, 90 sss).
    public init(benchmark bench: Benchmark, dataset: SearchDataset, proxy: Schedule = .twelve,
                final: Schedule? = nil) throws {
        let space = bench.searchSpace
        let finalSchedule = final ?? space.fullSchedule
        self.space = space
        self.dataset = dataset
        self.proxySchedule = proxy
        self.finalSchedule = finalSchedule
        file = bench.path
        let name = dataset.proxyDataset
        let hint: String
        switch (space, proxy) {
        case (.topology, .twelve):
            hint = "NAS-Bench-201 v1.0 files record the 12-epoch schedule for cifar10-valid only; pass --hp 200 to search on the full schedule"
        case (.size, _):
            hint = "the size space's schedules are 01, 12 and 90"
        default:
            hint = ""
        }
        guard let runs = try bench.runColumns(schedule: proxy, dataset: name) else {
            throw SearchError.missingTable(file: bench.path, schedule: proxy.rawValue, dataset: name, hint: hint)
        }
        guard let latencyRuns = try bench.indexesWithRuns(schedule: proxy, dataset: dataset.name) else {
            throw SearchError.missingTable(file: bench.path, schedule: proxy.rawValue, dataset: dataset.name,
                                           hint: "simulate_train_eval reads the latency from it")
        }
        guard let finals = try bench.lastEpochMeans(metric: "\(dataset.testSet)_acc1", schedule: finalSchedule,
                                                    dataset: dataset.name) else {
            throw SearchError.missingTable(file: bench.path, schedule: finalSchedule.rawValue, dataset: dataset.name,
                                           hint: "the reported test accuracy")
        }
        archStrings = try bench.metaArchs()
        var codes = [Int32](repeating: -1, count: space.count)
        for (index, string) in archStrings.enumerated() {
            if let choices = space.choices(of: string), codes[space.code(choices)] < 0 {
                codes[space.code(choices)] = Int32(index)
            }
        }
        indexOfCode = codes
        let n = archStrings.count
        let E = runs.epochs
        epochs = E
        var start = [Int32](repeating: -1, count: n), count = [Int32](repeating: 0, count: n)
        var train = [Double](repeating: .nan, count: runs.rows * E)
        var vAcc = train, vTime = train, vtAcc = train
        var raise = [UInt8](repeating: 0, count: n * E)
        for row in 0..<runs.rows {
            let index = runs.archIndex[row]
            guard (0..<n).contains(index) else { continue }
            if start[index] < 0 { start[index] = Int32(row) }
            count[index] += 1
            // One pass over the row's epochs with running left-to-right sums: the values and failures of
            // `runs.trainAllTime(row:epoch:)` and `runs.eval(_:row:epoch:)` at every epoch, bit for bit,
            // without their per-call rescans (the search opens the benchmark in a fraction of a second).
            let base = row * E
            var trainSum = 0.0, trainTimesComplete = true
            let trainNeed = BenchmarkLayout.TrainBit.acc1 | BenchmarkLayout.TrainBit.loss
            for e in 0..<E {
                let at = base + e
                if trainTimesComplete {
                    if runs.trainPresent[at] & BenchmarkLayout.TrainBit.time != 0 { trainSum += runs.trainTime[at] } else { trainTimesComplete = false }
                }
                if runs.trainPresent[at] & trainNeed != trainNeed {
                    raise[index * E + e] |= 1
                } else if !runs.trainTimesRecorded[row] {
                    train[at] = .nan  // no train times at all (None)
                } else if !trainTimesComplete {
                    raise[index * E + e] |= 1
                } else {
                    train[at] = trainSum
                }
            }
            let anyTimes = runs.evalPresent.values.contains { m in (0..<E).contains { m[base + $0] & BenchmarkLayout.EvalBit.time != 0 } }
            for (set, bit) in [("x-valid", UInt8(2)), ("ori-test", UInt8(4))] {
                guard let mask = runs.evalPresent[set], let acc = runs.evalAccuracy[set], let times = runs.evalTime[set] else {
                    for e in 0..<E { raise[index * E + e] |= bit }
                    continue
                }
                var sum = 0.0, timesComplete = true
                for e in 0..<E {
                    let at = base + e
                    if anyTimes && timesComplete {
                        if mask[at] & BenchmarkLayout.EvalBit.time != 0 { sum += times[at] } else { timesComplete = false }
                    }
                    let need = BenchmarkLayout.EvalBit.loss | BenchmarkLayout.EvalBit.acc1
                    guard (!anyTimes || timesComplete), mask[at] & need == need else { raise[index * E + e] |= bit; continue }
                    if set == "x-valid" {
                        vAcc[at] = acc[at]
                        vTime[at] = anyTimes ? sum / Double(e + 1) : .nan
                    } else {
                        vtAcc[at] = acc[at]
                    }
                }
            }
        }
        let seedList = runs.seed
        rowStart = start; rowCount = count; seeds = seedList
        trainAllTime = train; validAccuracy = vAcc; validPerTime = vTime; valtestAccuracy = vtAcc; raises = raise
        hasLatencyRuns = (0..<n).map { latencyRuns.contains($0) }
        finalTest = (0..<n).map { finals[$0] ?? .nan }
        var cheapest = Double.infinity
        for row in 0..<runs.rows {
            let c = train[row * E + E - 1] + vTime[row * E + E - 1]
            if c.isFinite { cheapest = min(cheapest, c) }
        }
        cheapestEvaluation = cheapest
    }

    public var count: Int { archStrings.count }

    /// `query_index_by_arch` for an architecture given as its choices (`SearchSpaceKind.choices(of:)`).
    func index(of choices: [Int]) throws -> Int {
        let i = Int(indexOfCode[space.code(choices)])
        guard i >= 0 else { throw SearchError.notInBenchmark(arch: space.string(of: choices)) }
        return i
    }

    /// The reported test accuracy of `index` (final schedule, mean over its seeds).
    public func finalTestAccuracy(_ index: Int) throws -> Double {
        let v = finalTest[index]
        guard !v.isNaN else {
            throw SearchError.noFinalAccuracy(index: index, dataset: dataset.name, schedule: finalSchedule.rawValue,
                                              set: dataset.testSet)
        }
        return v
    }

    /// One `simulate_train_eval(index, dataset, iepoch=epoch, hp)`: (reward, time cost). Draws from
    /// `random` exactly as upstream does (one `choice`, or two on the valtest path).
    public func evaluate(_ index: Int, epoch: Int? = nil, random: inout PythonRandom) throws -> (reward: Double, cost: Double) {
        let E = epochs
        let e = epoch ?? E - 1
        func fail(_ reason: String) -> SearchError {
            .notSimulable(index: index, arch: archStrings[index], dataset: dataset.proxyDataset,
                          schedule: proxySchedule.rawValue, reason: reason)
        }
        let n = Int(rowCount[index])
        guard n > 0 else { throw fail("the benchmark has no runs for it") }
        guard (0..<E).contains(e) else { throw fail("epoch \(e) is outside the \(E)-epoch schedule") }
        let first = Int(rowStart[index])
        let row = first + random.randbelow(n)
        let flags = raises[index * E + e]
        guard flags & 1 == 0 else { throw fail("train metrics are not recorded up to epoch \(e)") }
        let trainTime = trainAllTime[row * E + e]
        guard !trainTime.isNaN else { throw fail("train times are not recorded") }
        let reward: Double, cost: Double
        if flags & 2 == 0 {
            let perTime = validPerTime[row * E + e]
            guard !perTime.isNaN else { throw fail("x-valid has no evaluation times") }
            reward = validAccuracy[row * E + e]
            cost = trainTime + perTime
        } else {
            guard dataset != .cifar10 else { throw fail("x-valid is not recorded at epoch \(e)") }
            guard flags & 4 == 0 else { throw fail("neither x-valid nor ori-test is recorded at epoch \(e)") }
            reward = valtestAccuracy[row * E + e]
            let second = first + random.randbelow(n)
            guard raises[index * E + E - 1] & 3 == 0 else { throw fail("x-valid is not recorded at the last epoch") }
            let perTime = validPerTime[second * E + E - 1]
            guard !perTime.isNaN else { throw fail("x-valid has no evaluation times") }
            cost = trainTime + perTime
        }
        guard hasLatencyRuns[index] else {
            throw fail("no \(dataset.name) runs under hp \(proxySchedule.rawValue) (get_latency reads them)")
        }
        return (reward, cost)
    }
}
