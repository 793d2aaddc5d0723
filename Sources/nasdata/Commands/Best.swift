import ArgumentParser
import NASBench
import NASCore

/// `nasdata best BENCH.h5 --dataset D --metric M`: upstream's find_best.
struct Best: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the architecture with the highest mean top-1 (upstream's find_best).",
        discussion: """
            Metric sets as upstream spells them: train, x-valid, x-test, ori-test (and its aliases \
            valid / test). Limits are in the benchmark's own units: --max-flops in MFLOPs, --max-params \
            in millions of parameters (the mean over seeds, as upstream compares them; in a NATS-Bench \
            benchmark seed 888's value where the seeds disagree, as nats_bench does, and an error where \
            they disagree and none is 888, where nats_bench raises). Ties go to the lower index. Exit \
            status 1 when no architecture qualifies.
            """)

    @OptionGroup var file: BenchmarkFileOptions

    @Option(help: "Data set: cifar10-valid, cifar10, cifar100 or ImageNet16-120.")
    var dataset: String

    @Option(help: "Metric set: train, x-valid, x-test, ori-test (or valid, test).")
    var metric: String

    @Option(name: .customLong("max-flops"), help: "Largest mean FLOPs allowed, in MFLOPs.")
    var maxFlops: Double?

    @Option(name: .customLong("max-params"), help: "Largest mean parameter count allowed, in millions.")
    var maxParams: Double?

    @Option(help: "Epoch to rank by (0-based; default: the last).")
    var epoch: Int?

    @Flag(help: "Print JSON on standard output.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func validate() throws { try file.validateSchedule() }

    func run() throws {
        var request = BestRequest(benchmark: file.benchmark, dataset: dataset, metric: metric)
        request.schedule = file.schedule
        request.maxFlops = maxFlops
        request.maxParams = maxParams
        request.epoch = epoch
        let found: BestResult?
        do { found = try BenchmarkQuery.best(request) } catch let e as QueryError { throw e.commandFailure }
        guard let best = found else {
            if json {
                print(BestResult.noneJSON)
                throw ExitStatus.problemFound.code
            }
            throw CommandFailure(.problemFound, "no architecture qualifies (upstream: -1, None)")
        }
        print(json ? "\(best.json)" : best.lines.joined(separator: "\n"))
    }
}
