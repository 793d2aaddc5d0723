import NASBench
import NASCore

/// The four query-based algorithms of the NAS-Bench-201 / NATS-Bench papers.
public enum SearchAlgorithm: String, CaseIterable, Sendable {
    case random, rea, reinforce, bohb

    /// The name the papers' figures and tables use.
    public var label: String {
        switch self {
        case .random: return "RANDOM"
        case .rea: return "REA"
        case .reinforce: return "REINFORCE"
        case .bohb: return "BOHB"
        }
    }
}

/// The data sets upstream's search scripts take (`--dataset`).
public enum SearchDataset: String, CaseIterable, Sendable {
    case cifar10
    case cifar100
    case imageNet16 = "ImageNet16-120"

    public var name: String { rawValue }

    /// Where `simulate_train_eval` reads the proxy results: cifar10 is answered from cifar10-valid.
    public var proxyDataset: String { self == .cifar10 ? "cifar10-valid" : rawValue }

    /// The set `get_more_info(..., is_random=False)` calls `test` (the reported accuracy).
    public var testSet: String { self == .cifar10 ? "ori-test" : "x-test" }

    /// Display name in titles (as the papers' figures write it).
    public var displayName: String {
        switch self {
        case .cifar10: return "CIFAR-10"
        case .cifar100: return "CIFAR-100"
        case .imageNet16: return "ImageNet-16-120"
        }
    }
}

/// Everything one batch of runs needs besides the benchmark. Defaults are upstream's (`run-all.sh`
/// and the scripts' argument defaults).
public struct SearchSettings: Sendable {
    public var algorithm: SearchAlgorithm
    public var dataset: SearchDataset
    /// The space searched: the benchmark's (`SearchJob` and `SearchRunner` set it from the file).
    public var space: SearchSpaceKind = .topology
    /// Seconds of simulated training a run may spend (default: `run-all.sh`'s for the space and data set).
    public var timeBudget: Double {
        get { requestedTimeBudget ?? space.timeBudget(dataset) }
        set { requestedTimeBudget = newValue }
    }
    private var requestedTimeBudget: Double?
    /// The schedule the search queries (`hp`, upstream's "12").
    public var proxySchedule: Schedule = .twelve
    /// The schedule of the reported test accuracy (default: the space's full one, 200 tss, 90 sss).
    public var finalSchedule: Schedule {
        get { requestedFinalSchedule ?? space.fullSchedule }
        set { requestedFinalSchedule = newValue }
    }
    private var requestedFinalSchedule: Schedule?
    /// REA
    public var eaPopulation = 10
    public var eaSampleSize = 3
    /// REINFORCE
    public var learningRate = 0.01
    public var emaMomentum = 0.9
    /// BOHB (hpbandster's BOHB and its KDE config generator)
    public var bohb = BOHBSettings()

    public init(algorithm: SearchAlgorithm, dataset: SearchDataset, space: SearchSpaceKind = .topology,
                timeBudget: Double? = nil) {
        self.algorithm = algorithm
        self.dataset = dataset
        self.space = space
        requestedTimeBudget = timeBudget
    }
}

/// hpbandster BOHB's settings as upstream's `bohb.py` passes them (`run-all.sh`: 4 samples,
/// random fraction 0, bandwidth factor 3; script defaults: min bandwidth 0.3, 300 iterations).
public struct BOHBSettings: Sendable {
    public var eta = 3.0
    public var minBudget = 1.0
    public var maxBudget = 12.0
    public var numSamples = 4
    public var randomFraction = 0.0
    public var bandwidthFactor = 3.0
    public var minBandwidth = 0.3
    public var topNPercent = 15
    public var nIterations = 300
    public init() {}
}

/// Why a search cannot run or a query cannot be answered; one line each.
public enum SearchError: Error, CustomStringConvertible, Equatable {
    case missingTable(file: String, schedule: String, dataset: String, hint: String)
    case notSimulable(index: Int, arch: String, dataset: String, schedule: String, reason: String)
    case notInBenchmark(arch: String)
    case noFinalAccuracy(index: Int, dataset: String, schedule: String, set: String)
    case budgetTooSmall(budget: Double)
    case invalidSetting(String)

    public var description: String {
        switch self {
        case let .missingTable(file, schedule, dataset, hint):
            return "\(file): no hp-\(schedule) results for \(dataset)\(hint.isEmpty ? "" : " (\(hint))")"
        case let .notSimulable(index, arch, dataset, schedule, reason):
            return "architecture \(index) (\(arch)) cannot be simulated on \(dataset) at hp \(schedule): \(reason)"
        case let .notInBenchmark(arch):
            return "architecture \(arch) is not in the benchmark's meta_archs"
        case let .noFinalAccuracy(index, dataset, schedule, set):
            return "architecture \(index) has no \(set) accuracy on \(dataset) at hp \(schedule) (the reported result)"
        case let .budgetTooSmall(budget):
            return "time budget \(budget) s must be positive (a run needs at least one evaluation)"
        case let .invalidSetting(text):
            return text
        }
    }
}
