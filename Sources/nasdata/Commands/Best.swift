import ArgumentParser
import Foundation
import NASBench
import NASDataIO

/// `nasdata best BENCH.h5 --dataset D --metric M`: upstream's find_best.
struct Best: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the architecture with the highest mean top-1 (upstream's find_best).",
        discussion: """
            Metric sets as upstream spells them: train, x-valid, x-test, ori-test (and its aliases \
            valid / test). Limits are in the benchmark's own units: --max-flops in MFLOPs, --max-params \
            in millions of parameters (mean over seeds, as upstream compares them). Ties go to the \
            lower index. Exit status 1 when no architecture qualifies.
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
        let bench = try file.open()
        let schedule = try file.schedule(of: bench)
        do {
            guard let best = try bench.findBest(dataset: dataset, set: metric, schedule: schedule,
                                                maxFlops: maxFlops, maxParams: maxParams, epoch: epoch) else {
                if json {
                    print(JSONValue.object([("index", .int(-1)), ("accuracy", .null)]))
                    throw ExitStatus.problemFound.code
                }
                throw CommandFailure(.problemFound, "no architecture qualifies (upstream: -1, None)")
            }
            let (d, _) = remapDatasetAndSet(dataset: dataset, set: metric)
            let costs = try bench.costInfo(index: best.index, dataset: d, schedule: schedule)
            let arch = try bench.architecture(at: best.index)
            if json {
                print(JSONValue.object([
                    ("index", .int(Int64(best.index))), ("arch", .string(arch)), ("accuracy", .double(best.accuracy)),
                    ("dataset", .string(dataset)), ("metric", .string(metric)), ("hp", .string(schedule.rawValue)),
                    ("flops", .double(costs.flops)), ("params", .double(costs.params)),
                    ("latency", costs.latency.map { .double($0) } ?? .null),
                ]))
            } else {
                print("\(best.index)  \(arch)")
                print(String(format: "  %@ %@ top-1 %.4f%%, FLOPs %.2f M, params %.3f M (hp %@)", dataset, metric,
                             best.accuracy, costs.flops, costs.params, schedule.rawValue))
            }
        } catch let e as QueryError {
            throw e.commandFailure
        }
    }
}
