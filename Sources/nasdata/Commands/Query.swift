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

    /// --hp, or the full schedule of the benchmark's search space.
    func schedule(of bench: Benchmark) throws -> Schedule {
        guard let hp else { return bench.searchSpace.fullSchedule }
        guard let s = Schedule(rawValue: hp) else { throw ValidationError("--hp must be an epoch count such as 01, 12, 90 or 200, not '\(hp)'") }
        return s
    }

    func open() throws -> Benchmark {
        try Benchmark(path: benchmark)
    }
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
        let bench = try file.open()
        let schedule = try file.schedule(of: bench)
        do {
            let resolved: Int
            if let index { resolved = index } else {
                guard let found = try bench.index(of: arch!) else {
                    let parse: () throws -> Void = bench.searchSpace == .topology ? { _ = try Architecture(arch!) } : { _ = try ChannelSizes(arch!) }
                    if case .some(let e) = Result(catching: parse).failureValue {
                        throw ValidationError("--arch: \(e)")
                    }
                    throw CommandFailure(.problemFound, "architecture not in the benchmark (upstream: -1): \(arch!)")
                }
                resolved = found
            }
            try answer(bench: bench, index: resolved, schedule: schedule)
        } catch let e as QueryError {
            throw e.commandFailure
        }
    }

    private func answer(bench: Benchmark, index: Int, schedule: Schedule) throws {
        let archString = try bench.architecture(at: index)
        let results = try bench.results(index: index, schedule: schedule)
        let datasets = dataset.map { [$0] } ?? results.datasetNames
        let selection: SeedSelection = seed.map { .seed($0) } ?? .mean
        var blocks: [JSONValue] = []
        var text = ["index \(index)  \(archString)", "hp \(schedule.rawValue)"]
        for d in datasets {
            let seeds = try results.runs(on: d).map(\.seed)
            let costs = try results.computeCosts(dataset: d)
            let info = try results.moreInfo(dataset: d, epoch: epoch, seeds: selection)
            let trainEpoch = try results.metric(dataset: d, set: "train", epoch: epoch, seeds: selection).epoch
            blocks.append(.object([
                ("dataset", .string(d)), ("seeds", .array(seeds.map { .int(Int64($0)) })),
                ("seed", seed.map { .int(Int64($0)) } ?? .string("mean")), ("epoch", .int(Int64(trainEpoch))),
                ("flops", .double(costs.flops)), ("params", .double(costs.params)),
                ("latency", costs.latency.map { .double($0) } ?? .null),
                ("info", .object(info.map { ($0.key, $0.value.map { .double($0) } ?? .null) })),
            ]))
            let who = seed.map { "seed \($0)" } ?? "mean of \(seeds.count) seed(s) \(seeds.map(String.init).joined(separator: ", "))"
            text.append("\(d) (\(who), epoch \(trainEpoch)):")
            text.append(String(format: "  FLOPs %.2f M, params %.3f M, latency %@", costs.flops, costs.params,
                               costs.latency.map { String(format: "%.2f ms", $0 * 1000) } ?? "n/a"))
            let values = Dictionary(info.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            for part in ["train", "valid", "test", "valtest"] where values["\(part)-loss"] != nil {
                var line = String(format: "  %-8@ loss %.4f  top-1 %.2f%%", part, values["\(part)-loss"]!! , values["\(part)-accuracy"]!!)
                if let t = values["\(part)-all-time"] ?? nil { line += String(format: "  time %.1f s", t) }
                text.append(line)
            }
        }
        if json {
            print(JSONValue.object([("index", .int(Int64(index))), ("arch", .string(archString)),
                                   ("hp", .string(schedule.rawValue)), ("datasets", .array(blocks))]))
        } else {
            print(text.joined(separator: "\n"))
        }
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

extension Result {
    var failureValue: Failure? { if case .failure(let e) = self { return e }; return nil }
}
