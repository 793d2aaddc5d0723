import NASCore
import Tensors

/// `arch_config` of a trial: what upstream's `get_net_config` turns into the network config.
/// Topology-space runs (NAS-Bench-201, NATS tss) hold `channel`, `num_cells`, `arch_str`,
/// `class_num`; size-space runs (NATS sss) hold `name` (`infer.shape.tiny`), `channels`,
/// `arch_str`, `genotype` (the fixed cell) and `class_num`, and have no `channel` /
/// `num_cells` (-1 here).
public struct ArchConfig: Equatable, Sendable {
    public var channel: Int
    public var numCells: Int
    public var archString: String
    public var classCount: Int
    /// Size space only: the network's name, `C1:C2:C3:C4:C5` and the fixed cell's string.
    public var name: String?
    public var channels: String?
    public var genotype: String?

    public init(channel: Int, numCells: Int, archString: String, classCount: Int,
                name: String? = nil, channels: String? = nil, genotype: String? = nil) {
        self.channel = channel; self.numCells = numCells; self.archString = archString; self.classCount = classCount
        self.name = name; self.channels = channels; self.genotype = genotype
    }
}

/// The `seed` field of a trial as stored: the meta files hold a zero-padded string (`'0777'`)
/// while the `all_results` keys use the integer (777); keep whichever the file had.
public enum SeedField: Equatable, Sendable {
    case string(String)
    case int(Int)
    case none

    public var text: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .none: return ""
        }
    }
}

/// One training run (one architecture, data set, seed and schedule): upstream's
/// `ResultsCount`, with every per-epoch dict as an `EpochSeries`.
///
/// This type is independent of where the dict came from: the meta files, the
/// `{index}-FULL.pth` weight archive (where `netStateDict` is present) and the HDF5
/// benchmark all produce it.
public struct ResultsCount: Equatable, Sendable {
    /// Data set name (`name`).
    public var dataset: String
    public var seed: SeedField
    /// Training epochs of the schedule (200 or 12).
    public var epochs: Int
    /// Parameters in millions (`params`, a numpy float64 in the files).
    public var params: Double
    /// FLOPs in millions (`flop`).
    public var flop: Double
    public var archConfig: ArchConfig
    /// Seconds per batch of 256 (`latency`), or nil when the file has None.
    public var latency: [Double]?

    public var trainAcc1: EpochSeries
    /// nil when `train_acc5es` is None (old-format trials).
    public var trainAcc5: EpochSeries?
    public var trainLoss: EpochSeries
    /// nil when `train_times` is None.
    public var trainTimes: EpochSeries?

    /// `eval_names` in stored order (subset of x-valid, x-test, ori-test).
    public var evalNames: [String]
    /// Per evaluation set name: top-1 accuracy, loss and time per epoch.
    public var evalAcc1: [String: EpochSeries]
    public var evalLoss: [String: EpochSeries]
    /// Empty when `eval_times` is an empty dict.
    public var evalTimes: [String: EpochSeries]

    /// The trained weights (`net_state_dict`); nil in the meta files, present in the archive.
    public var netStateDict: StateDict?

    public init(dataset: String, seed: SeedField, epochs: Int, params: Double, flop: Double, archConfig: ArchConfig,
                latency: [Double]?, trainAcc1: EpochSeries, trainAcc5: EpochSeries?, trainLoss: EpochSeries,
                trainTimes: EpochSeries?, evalNames: [String], evalAcc1: [String: EpochSeries],
                evalLoss: [String: EpochSeries], evalTimes: [String: EpochSeries], netStateDict: StateDict? = nil) {
        self.dataset = dataset; self.seed = seed; self.epochs = epochs; self.params = params; self.flop = flop
        self.archConfig = archConfig; self.latency = latency
        self.trainAcc1 = trainAcc1; self.trainAcc5 = trainAcc5; self.trainLoss = trainLoss; self.trainTimes = trainTimes
        self.evalNames = evalNames; self.evalAcc1 = evalAcc1; self.evalLoss = evalLoss; self.evalTimes = evalTimes
        self.netStateDict = netStateDict
    }

    public static func == (a: ResultsCount, b: ResultsCount) -> Bool {
        a.dataset == b.dataset && a.seed == b.seed && a.epochs == b.epochs
            && a.params.bitPattern == b.params.bitPattern && a.flop.bitPattern == b.flop.bitPattern
            && a.archConfig == b.archConfig
            && a.latency?.map(\.bitPattern) == b.latency?.map(\.bitPattern)
            && a.trainAcc1 == b.trainAcc1 && a.trainAcc5 == b.trainAcc5 && a.trainLoss == b.trainLoss
            && a.trainTimes == b.trainTimes && a.evalNames == b.evalNames && a.evalAcc1 == b.evalAcc1
            && a.evalLoss == b.evalLoss && a.evalTimes == b.evalTimes && a.netStateDict == b.netStateDict
    }
}

/// All runs of one architecture under one schedule: upstream's `ArchResults`
/// (`hp` '200' = the file's `full`, '12' = `less`).
public struct ArchResults: Equatable, Sendable {
    public var archIndex: Int
    public var archString: String
    /// `dataset_seed`: data set -> sorted seeds, in stored order.
    public var datasetSeeds: [(dataset: String, seeds: [Int])]
    /// `all_results` keyed by (data set, seed).
    public var results: [RunKey: ResultsCount]
    public var clearNetDone: Bool
    /// How `computeCosts` makes one FLOPs / params value of the seeds' (the API whose files these are).
    public var costRule: CostRule = .meanOverSeeds

    public struct RunKey: Hashable, Sendable {
        public var dataset: String
        public var seed: Int
        public init(_ dataset: String, _ seed: Int) { self.dataset = dataset; self.seed = seed }
    }

    public init(archIndex: Int, archString: String, datasetSeeds: [(dataset: String, seeds: [Int])],
                results: [RunKey: ResultsCount], clearNetDone: Bool) {
        self.archIndex = archIndex; self.archString = archString; self.datasetSeeds = datasetSeeds
        self.results = results; self.clearNetDone = clearNetDone
    }

    public var datasetNames: [String] { datasetSeeds.map(\.dataset) }

    public func seeds(of dataset: String) -> [Int]? { datasetSeeds.first { $0.dataset == dataset }?.seeds }

    public static func == (a: ArchResults, b: ArchResults) -> Bool {
        a.archIndex == b.archIndex && a.archString == b.archString && a.clearNetDone == b.clearNetDone
            && a.datasetSeeds.map(\.dataset) == b.datasetSeeds.map(\.dataset)
            && a.datasetSeeds.map(\.seeds) == b.datasetSeeds.map(\.seeds) && a.results == b.results
    }
}
