import ArgumentParser
import Concurrency
import Foundation
import NASCore
import NASSearch

/// `nasdata search BENCH.h5 --algorithm A --dataset D`: the papers' query-based NAS algorithms on the benchmark.
struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Run random search, REA, REINFORCE or BOHB on the benchmark under a simulated time budget.",
        discussion: """
            Evaluations are upstream's simulate_train_eval (a random trial's valid accuracy at the proxy \
            schedule, its training + evaluation time), drawn with Python's random generator: random search \
            and REA visit exactly what AutoDL-Projects' scripts visit for the same seed; REINFORCE and BOHB \
            match them in distribution. --seed S --runs N runs seeds S ... S+N-1 (--runs 1 --seed S is the \
            scripts' --rand_seed S); without --seed, seeds are drawn as the scripts draw them. The results \
            file (-o, .h5 or .json; schema Schemas/nasdata-search.v1.json) holds every evaluation of every run.
            """)

    @Argument(help: "The HDF5 benchmark (from convert-benchmark).")
    var benchmark: String

    @Option(help: "random, rea, reinforce or bohb.")
    var algorithm: String

    @Option(help: "cifar10, cifar100 or ImageNet16-120 (cifar10 is answered from cifar10-valid, as upstream does).")
    var dataset: String

    @Option(help: "Runs (default 500, as upstream).")
    var runs: Int = 500

    @Option(help: "Seed of the first run; run k uses seed + k.")
    var seed: Int?

    @Option(help: "Simulated seconds per run (default: upstream's for the data set: 20000, 40000, 120000).")
    var timeBudget: Double?

    @Option(help: "Schedule the search queries: 12 or 200.")
    var hp: String = "12"

    @Option(help: "Schedule of the reported test accuracy (default 200).")
    var finalHp: String = "200"

    @Option(help: "REA population size.") var eaPopulation: Int = 10
    @Option(help: "REA tournament sample size.") var eaSampleSize: Int = 3
    @Option(help: "REINFORCE learning rate.") var learningRate: Double = 0.01
    @Option(help: "REINFORCE baseline EMA momentum.") var emaMomentum: Double = 0.9
    @Option(help: "BOHB candidates per model-based sample.") var numSamples: Int = 4
    @Option(help: "BOHB fraction of uniformly random configurations.") var randomFraction: Double = 0
    @Option(help: "BOHB bandwidth factor.") var bandwidthFactor: Double = 3
    @Option(help: "BOHB minimum KDE bandwidth.") var minBandwidth: Double = 0.3
    @Option(help: "BOHB Hyperband iterations.") var nIters: Int = 300

    @Option(help: "Runs in parallel (default: all cores).")
    var threads: Int?

    @Option(name: .shortAndLong, help: "Write every run to this file (.h5 or .json).")
    var output: String?

    @Flag(help: "Print the papers' table (mean ± std of the final test accuracy, mean evaluations) instead of one line per run.")
    var summary = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard SearchAlgorithm(rawValue: algorithm) != nil else {
            throw ValidationError("unknown algorithm '\(algorithm)' (random, rea, reinforce, bohb)")
        }
        guard SearchDataset(rawValue: dataset) != nil else {
            throw ValidationError("unknown dataset '\(dataset)' (cifar10, cifar100, ImageNet16-120)")
        }
        guard Schedule(rawValue: hp) != nil, Schedule(rawValue: finalHp) != nil else {
            throw ValidationError("--hp and --final-hp must be epoch counts such as 12 or 200")
        }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        if let output { try OutputPath.check(output, writes: ["h5", "json"], format: "HDF5 or JSON results") }
        let algorithm = SearchAlgorithm(rawValue: algorithm)!
        let dataset = SearchDataset(rawValue: dataset)!
        let proxy = Schedule(rawValue: hp)!, final = Schedule(rawValue: finalHp)!
        var settings = SearchSettings(algorithm: algorithm, dataset: dataset, timeBudget: timeBudget)
        settings.proxySchedule = proxy; settings.finalSchedule = final
        settings.eaPopulation = eaPopulation; settings.eaSampleSize = eaSampleSize
        settings.learningRate = learningRate; settings.emaMomentum = emaMomentum
        settings.bohb.numSamples = numSamples; settings.bohb.randomFraction = randomFraction
        settings.bohb.bandwidthFactor = bandwidthFactor; settings.bohb.minBandwidth = minBandwidth
        settings.bohb.nIterations = nIters
        let result: SearchResult
        do {
            result = try SearchJob.run(benchmark: benchmark, settings: settings,
                                       seeds: SearchRunner.seeds(runs: runs, first: seed),
                                       jobs: threads ?? BoundedParallel.defaultJobs, output: output)
        } catch {
            throw CommandFailure("\(error)")
        }
        if summary {
            print(SearchSummary.table([result]))
        } else {
            SearchSummary.runLines(result).forEach { print($0) }
        }
        if let output { print("wrote \(output): \(result.runs.count) runs") }
    }
}
