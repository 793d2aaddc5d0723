import ArgumentParser
import Foundation
import NASBench
import NASDataIO
import NASCore

/// The benchmark file and schedule, shared by query, best and table.
struct BenchmarkFileOptions: ParsableArguments {
    @Argument(help: "The HDF5 benchmark written by convert-benchmark.")
    var benchmark: String

    @Option(name: .customLong("hp"), help: """
        Training schedule as the files spell it (upstream's hp): 12 or 200 (NAS-Bench-201, NATS tss), \
        01 (or 1), 12 or 90 (NATS sss). Default: the space's full schedule, 200 or 90 (upstream's Python API defaults to 12).
        """)
    var hp: String?

    /// Checks --hp's spelling (before the file is opened).
    func validateSchedule() throws {
        if let hp, Schedule(rawValue: hp) == nil { throw ValidationError("--hp must be an epoch count such as 01, 12, 90 or 200, not '\(hp)'") }
    }

    /// --hp (checked by validateSchedule); nil: the space's full schedule.
    var schedule: Schedule? { hp.flatMap(Schedule.init(rawValue:)) }
}

/// `nasdata query BENCH.h5 (--index N | --arch STR) ...`: upstream's get_more_info and costs.
struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one architecture's results: metrics (get_more_info), costs and seeds.",
        discussion: """
            Without --dataset every data set of the schedule is shown (upstream's show / \
            query_info_str_by_arch text). Metrics are the mean over seeds at the last epoch unless \
            --seed / --epoch say otherwise. Exit status 1 when the architecture or the requested \
            result does not exist (the message says what is missing).
            """)

    @OptionGroup var file: BenchmarkFileOptions

    @Option(help: "Architecture index (0..15624 topology, 0..32767 size space).")
    var index: Int?

    @Option(help: "Architecture string, e.g. '|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|' or (size space) '8:16:24:32:40'.")
    var arch: String?

    @Option(help: "Data set: cifar10-valid, cifar10, cifar100 or ImageNet16-120.")
    var dataset: String?

    @Option(help: "Epoch (0-based; default: the last).")
    var epoch: Int?

    @Option(help: "One run's seed instead of the mean over seeds.")
    var seed: Int?

    @Flag(help: "Print JSON on standard output.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (index == nil) != (arch == nil) else { throw ValidationError("give exactly one of --index and --arch") }
        if let dataset, NB201Dataset(name: dataset) == nil {
            throw ValidationError("unknown data set '\(dataset)' (use cifar10-valid, cifar10, cifar100 or ImageNet16-120)")
        }
        try file.validateSchedule()
    }

    func run() throws {
        let request = QueryRequest(benchmark: file.benchmark, architecture: index.map { .index($0) } ?? .string(arch!),
                                   schedule: file.schedule, dataset: dataset, epoch: epoch, seed: seed)
        let result: QueryResult
        do {
            result = try BenchmarkQuery.run(request)
        } catch let e as QueryError {
            throw e.commandFailure
        } catch ArchitectureLookupError.invalid(let message) {
            throw ValidationError("--arch: \(message)")
        } catch let e as ArchitectureLookupError {
            throw CommandFailure(.problemFound, "\(e)")
        }
        print(json ? "\(result.json)" : result.lines.joined(separator: "\n"))
    }
}

extension QueryError {
    /// A value no benchmark has (an index past 15,624, an unknown metric or epoch) is a usage
    /// error; a record this benchmark lacks is a lookup miss (exit status 1).
    var commandFailure: Error {
        switch self {
        case .indexOutOfRange, .unknownMetric, .epochOutOfRange, .noSuchSchedule: return ValidationError("\(self)")
        default: return CommandFailure(.problemFound, "\(self)")
        }
    }
}
