import NASCore
import NASDataIO

/// What `nasdata query` asks of a benchmark file: one architecture's results (upstream's
/// get_more_info and get_cost_info) on one or every data set of a schedule.
public struct QueryRequest: Sendable {
    /// How the architecture is named: its index, or its string as the file spells it.
    public enum Selector: Sendable, Equatable {
        case index(Int)
        case string(String)
    }

    /// The benchmark file (convert-benchmark output).
    public var benchmark: String
    public var architecture: Selector
    /// The schedule; nil = the full schedule of the benchmark's search space (200 or 90).
    public var schedule: Schedule?
    /// One data set; nil = every data set the architecture has under the schedule.
    public var dataset: String?
    /// 0-based epoch; nil = the last.
    public var epoch: Int?
    /// One run's seed; nil = the mean over seeds.
    public var seed: Int?

    public init(benchmark: String, architecture: Selector, schedule: Schedule? = nil, dataset: String? = nil,
                epoch: Int? = nil, seed: Int? = nil) {
        self.benchmark = benchmark
        self.architecture = architecture
        self.schedule = schedule
        self.dataset = dataset
        self.epoch = epoch
        self.seed = seed
    }
}

/// Why an architecture string names no architecture of the benchmark.
public enum ArchitectureLookupError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The string is not an architecture of the benchmark's search space (the parser's message).
    case invalid(String)
    /// A well-formed string the benchmark does not hold (upstream's query_index_by_arch gives -1).
    case notInBenchmark(String)

    public var description: String {
        switch self {
        case .invalid(let message): return message
        case .notInBenchmark(let arch): return "architecture not in the benchmark (upstream: -1): \(arch)"
        }
    }
}

/// One architecture's answer: for each data set its seeds, costs and metrics.
public struct QueryResult: Sendable {
    public struct DatasetResult: Sendable {
        public var dataset: String
        /// The seeds the architecture was trained with on this data set.
        public var seeds: [Int]
        /// The seed shown, or nil for the mean over `seeds`.
        public var seed: Int?
        /// The epoch the metrics are at (0-based).
        public var epoch: Int
        /// get_cost_info's answer; nil where NATS-Bench's API has none (`costsUnavailable` says why).
        public var costs: CostInfo?
        public var costsUnavailable: String?
        /// get_more_info's keys and values, in upstream's order.
        public var info: [(key: String, value: Double?)]
    }

    public var index: Int
    public var arch: String
    public var schedule: Schedule
    public var datasets: [DatasetResult]

    /// The `--json` document, one line.
    public var json: JSONValue {
        .object([("index", .int(Int64(index))), ("arch", .string(arch)), ("hp", .string(schedule.rawValue)),
                 ("datasets", .array(datasets.map { d in
                     .object([
                         ("dataset", .string(d.dataset)), ("seeds", .array(d.seeds.map { .int(Int64($0)) })),
                         ("seed", d.seed.map { .int(Int64($0)) } ?? .string("mean")), ("epoch", .int(Int64(d.epoch))),
                         ("flops", d.costs.map { .double($0.flops) } ?? .null), ("params", d.costs.map { .double($0.params) } ?? .null),
                         ("latency", d.costs?.latency.map { .double($0) } ?? .null),
                         ("info", .object(d.info.map { ($0.key, $0.value.map { .double($0) } ?? .null) })),
                     ] + (d.costsUnavailable.map { [("costs_unavailable", .string($0))] } ?? []))
                 }))])
    }

    /// The human-readable report.
    public var lines: [String] {
        var text = ["index \(index)  \(arch)", "hp \(schedule.rawValue)"]
        for d in datasets {
            let who = d.seed.map { "seed \($0)" } ?? "mean of \(d.seeds.count) seed(s) \(d.seeds.map(String.init).joined(separator: ", "))"
            text.append("\(d.dataset) (\(who), epoch \(d.epoch)):")
            if let costs = d.costs {
                text.append(String(format: "  FLOPs %.2f M, params %.3f M, latency %@", costs.flops, costs.params,
                                   costs.latency.map { String(format: "%.2f ms", $0 * 1000) } ?? "n/a"))
            } else {
                text.append("  FLOPs, params, latency: n/a (\(d.costsUnavailable ?? "no answer"))")
            }
            let values = Dictionary(d.info.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            for part in ["train", "valid", "test", "valtest"] {
                guard let loss = values["\(part)-loss"] ?? nil, let accuracy = values["\(part)-accuracy"] ?? nil else { continue }
                var line = String(format: "  %-8@ loss %.4f  top-1 %.2f%%", part, loss, accuracy)
                if let t = values["\(part)-all-time"] ?? nil { line += String(format: "  time %.1f s", t) }
                text.append(line)
            }
        }
        return text
    }
}

/// `nasdata query`: resolves the architecture, then gathers its seeds, costs and metrics.
public enum BenchmarkQuery {
    /// Opens the benchmark and answers the request. Throws `ArchitectureLookupError` for a string
    /// that names no architecture of the benchmark, `QueryError` for a result it lacks.
    public static func run(_ request: QueryRequest) throws -> QueryResult {
        let bench = try Benchmark(path: request.benchmark)
        return try run(request, on: bench)
    }

    /// Answers the request from an open benchmark.
    public static func run(_ request: QueryRequest, on bench: Benchmark) throws -> QueryResult {
        let schedule = request.schedule ?? bench.searchSpace.fullSchedule
        let index = try resolve(request.architecture, in: bench)
        let archString = try bench.architecture(at: index)
        let results = try bench.results(index: index, schedule: schedule)
        let selection: SeedSelection = request.seed.map { .seed($0) } ?? .mean
        let datasets = try (request.dataset.map { [$0] } ?? results.datasetNames).map { d in
            let seeds = try results.runs(on: d).map(\.seed)
            // NATS-Bench's get_cost_info raises where the seeds' costs disagree and none is 888;
            // its get_more_info still answers (it reports no costs), and so does this.
            let (costs, unavailable) = try results.costsIfAnswered(dataset: d)
            let info = try results.moreInfo(dataset: d, epoch: request.epoch, seeds: selection)
            let epoch = try results.metric(dataset: d, set: "train", epoch: request.epoch, seeds: selection).epoch
            return QueryResult.DatasetResult(dataset: d, seeds: seeds, seed: request.seed, epoch: epoch, costs: costs,
                                             costsUnavailable: unavailable, info: info)
        }
        return QueryResult(index: index, arch: archString, schedule: schedule, datasets: datasets)
    }

    /// The index the selector names (an index is taken as given; the benchmark checks its range).
    public static func resolve(_ selector: QueryRequest.Selector, in bench: Benchmark) throws -> Int {
        switch selector {
        case .index(let index): return index
        case .string(let arch):
            if let found = try bench.index(of: arch) { return found }
            do {
                if bench.searchSpace == .topology { _ = try Architecture(arch) } else { _ = try ChannelSizes(arch) }
            } catch {
                throw ArchitectureLookupError.invalid("\(error)")
            }
            throw ArchitectureLookupError.notInBenchmark(arch)
        }
    }
}

/// What `nasdata best` asks: upstream's find_best (the highest mean top-1 under cost limits).
public struct BestRequest: Sendable {
    public var benchmark: String
    public var dataset: String
    /// train, x-valid, x-test, ori-test (or valid, test), as upstream spells them.
    public var metric: String
    /// nil = the full schedule of the benchmark's search space.
    public var schedule: Schedule?
    /// In MFLOPs and millions of parameters (mean over seeds).
    public var maxFlops: Double?
    public var maxParams: Double?
    /// 0-based epoch to rank by; nil = the last.
    public var epoch: Int?

    public init(benchmark: String, dataset: String, metric: String) {
        self.benchmark = benchmark
        self.dataset = dataset
        self.metric = metric
    }
}

/// The best architecture, its accuracy and its costs.
public struct BestResult: Sendable {
    public var index: Int
    public var arch: String
    public var accuracy: Double
    public var dataset: String
    public var metric: String
    public var schedule: Schedule
    /// Its costs; nil where NATS-Bench's API has none (`costsUnavailable` says why).
    public var costs: CostInfo?
    public var costsUnavailable: String?

    /// What `--json` prints when no architecture qualifies (upstream: -1, None).
    public static let noneJSON = JSONValue.object([("index", .int(-1)), ("accuracy", .null)])

    public var json: JSONValue {
        .object([
            ("index", .int(Int64(index))), ("arch", .string(arch)), ("accuracy", .double(accuracy)),
            ("dataset", .string(dataset)), ("metric", .string(metric)), ("hp", .string(schedule.rawValue)),
            ("flops", costs.map { .double($0.flops) } ?? .null), ("params", costs.map { .double($0.params) } ?? .null),
            ("latency", costs?.latency.map { .double($0) } ?? .null),
        ] + (costsUnavailable.map { [("costs_unavailable", .string($0))] } ?? []))
    }

    public var lines: [String] {
        let costText = costs.map { String(format: "FLOPs %.2f M, params %.3f M", $0.flops, $0.params) }
            ?? "FLOPs, params n/a (\(costsUnavailable ?? "no answer"))"
        return ["\(index)  \(arch)",
                String(format: "  %@ %@ top-1 %.4f%%, ", dataset, metric, accuracy) + costText + " (hp \(schedule.rawValue))"]
    }
}

extension BenchmarkQuery {
    /// Upstream's find_best; nil when no architecture qualifies. Throws `QueryError`.
    public static func best(_ request: BestRequest) throws -> BestResult? {
        let bench = try Benchmark(path: request.benchmark)
        let schedule = request.schedule ?? bench.searchSpace.fullSchedule
        guard let best = try bench.findBest(dataset: request.dataset, set: request.metric, schedule: schedule,
                                            maxFlops: request.maxFlops, maxParams: request.maxParams, epoch: request.epoch) else {
            return nil
        }
        let (d, _) = remapDatasetAndSet(dataset: request.dataset, set: request.metric)
        let (costs, unavailable) = try bench.results(index: best.index, schedule: schedule).costsIfAnswered(dataset: d)
        return BestResult(index: best.index, arch: try bench.architecture(at: best.index), accuracy: best.accuracy,
                          dataset: request.dataset, metric: request.metric, schedule: schedule,
                          costs: costs, costsUnavailable: unavailable)
    }
}
