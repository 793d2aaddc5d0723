import Concurrency
import Foundation
import NASBench
import NASCore

/// The outcome of one `nasdata search`: the settings, the benchmark it ran on and every run.
public struct SearchResult: Sendable {
    public var algorithm: SearchAlgorithm
    /// The benchmark's search space.
    public var space: SearchSpaceKind
    public var dataset: SearchDataset
    public var timeBudget: Double
    public var proxySchedule: Schedule
    public var finalSchedule: Schedule
    public var benchmark: String
    /// Architecture strings of the indexes the runs mention (index -> string).
    public var archStrings: [Int: String]
    /// Reported test accuracy of every best-so-far index the runs mention (for curves).
    public var testAccuracy: [Int: Double]
    public var runs: [SearchRun]
}

public enum SearchRunner {
    /// The seeds of `--runs N [--seed S]`: S, S+1, ..., or, without S, `random.randint(1, 100000)`
    /// per run as upstream's drivers draw them (from a generator seeded by the system).
    public static func seeds(runs: Int, first: Int?) -> [Int] {
        if let first { return (0..<runs).map { first + $0 } }
        var random = PythonRandom(key: (0..<4).map { _ in UInt32.random(in: .min ... .max) })
        return (0..<runs).map { _ in random.randint(1, 100_000) }
    }

    /// Runs `settings.algorithm` once per seed on `bench`, `jobs` runs at a time (one run per task).
    /// `settings.space` is taken from `bench`.
    public static func run(_ bench: SimulatedBenchmark, settings: SearchSettings, seeds: [Int],
                           jobs: Int = BoundedParallel.defaultJobs) throws -> SearchResult {
        var spaced = settings
        spaced.space = bench.space
        let settings = spaced
        guard settings.timeBudget > 0, settings.timeBudget >= bench.cheapestEvaluation else {
            throw SearchError.invalidSetting(
                "time budget \(settings.timeBudget) s is below the cheapest evaluation in the benchmark "
                + "(\(bench.cheapestEvaluation) s): no run could finish one evaluation within it")
        }
        guard settings.eaPopulation >= 1, settings.eaSampleSize >= 1 else {
            throw SearchError.invalidSetting("--ea-population and --ea-sample-size must be at least 1")
        }
        let slots = ResultSlots(count: seeds.count)
        BoundedParallel.forEach(count: seeds.count, jobs: jobs, makeState: { () }) { _, i in
            slots.set(i, Result { try runOne(bench, settings, seed: seeds[i]) })
        }
        let runs = try slots.values.map { try $0!.get() }
        var strings: [Int: String] = [:], accuracy: [Int: Double] = [:]
        for run in runs {
            for e in run.evaluations {
                strings[e.index] = bench.archStrings[e.index]
                if accuracy[e.bestIndex] == nil, let a = try? bench.finalTestAccuracy(e.bestIndex) { accuracy[e.bestIndex] = a }
            }
        }
        return SearchResult(algorithm: settings.algorithm, space: bench.space, dataset: settings.dataset,
                            timeBudget: settings.timeBudget,
                            proxySchedule: bench.proxySchedule, finalSchedule: bench.finalSchedule,
                            benchmark: bench.file, archStrings: strings, testAccuracy: accuracy, runs: runs)
    }

    /// One run of one algorithm for one seed (`prepare_seed(seed)` then the script's main).
    /// `settings.space` is taken from `bench`.
    public static func runOne(_ bench: SimulatedBenchmark, _ settings: SearchSettings, seed: Int) throws -> SearchRun {
        var settings = settings
        settings.space = bench.space
        switch settings.algorithm {
        case .random: return try randomSearch(bench, settings, seed: seed)
        case .rea: return try regularizedEvolution(bench, settings, seed: seed)
        case .reinforce: return try reinforce(bench, settings, seed: seed)
        case .bohb: return try bohb(bench, settings, seed: seed)
        }
    }
}

/// Per-run results written by the worker threads.
private final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<SearchRun, Error>?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Result<SearchRun, Error>) { lock.lock(); slots[i] = value; lock.unlock() }
    var values: [Result<SearchRun, Error>?] { lock.lock(); defer { lock.unlock() }; return slots }
}
