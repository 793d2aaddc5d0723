import HDF5
import NASCore

/// An HDF5 benchmark written by `convert-benchmark`, opened for queries: upstream's
/// `NASBench201API` concepts (count, arch at index, index of arch, results by index /
/// data set / schedule / seed, metrics, costs, `get_more_info`, `find_best`, `show`), answered
/// by reading only the rows a query needs.
///
///     let bench = try Benchmark(path: "nb201.h5")
///     let info = try bench.moreInfo(index: 1651, dataset: "cifar10", schedule: .twoHundred)
public final class Benchmark {
    public let path: String
    let file: File
    private var tables: [String: RunTableReader] = [:]
    private var metaArchsCache: [String]?

    public init(path: String) throws {
        self.path = path
        file = try File.open(path, mode: .readOnly)
        let schema = try file.attribute("nasdata_schema")?.stringValue
        guard schema == BenchmarkLayout.schemaName else {
            throw BenchmarkFormatError(file: path, location: "/", reason:
                "not a nasdata benchmark (nasdata_schema is \(schema.map { "'\($0)'" } ?? "missing"), expected '\(BenchmarkLayout.schemaName)')")
        }
        let version = try file.attribute("nasdata_schema_version")?.intValue
        guard let version, BenchmarkLayout.readableVersions.contains(version) else {
            throw BenchmarkFormatError(file: path, location: "/", reason:
                "benchmark layout version \(version.map(String.init) ?? "missing") is not supported (this nasdata reads \(BenchmarkLayout.schemaVersion))")
        }
    }

    deinit { file.close() }

    /// Root attribute `name` as text (source_file, source_layout, ...).
    public func info(_ name: String) -> String? {
        guard let a = try? file.attribute(name) else { return nil }
        return a.stringValue ?? a.intValue.map(String.init)
    }

    /// The API whose files were converted decides how costs of several seeds become one:
    /// NATS-Bench's (`source_layout` nats-v1.0) takes seed 888's where the seeds disagree.
    public var costRule: CostRule { info("source_layout")?.hasPrefix("nats") == true ? .natsSeed888 : .meanOverSeeds }

    /// Topology (NAS-Bench-201 or NATS tss; every schema-v1 file) or size (NATS sss).
    public var searchSpace: SearchSpaceKind { info("search_space").flatMap(SearchSpaceKind.init(rawValue:)) ?? .topology }

    /// The schedules (hp keys as the source spells them) the file holds, by epochs.
    public func scheduleKeys() throws -> [String] {
        try file.memberNames().filter { name in (try? file.openGroup(name).attribute("epochs")) != nil }
            .sorted { (Int($0) ?? 0) < (Int($1) ?? 0) }
    }

    /// Number of architectures (`len(api)`).
    public var count: Int { (try? file.openDataset("meta_archs").shape.first) ?? 0 }

    /// `api.arch(index)` / `api[index]`.
    public func architecture(at index: Int) throws -> String {
        guard (0..<count).contains(index) else { throw QueryError.indexOutOfRange(index) }
        if let cached = metaArchsCache { return cached[index] }
        return try file.openDataset("meta_archs").readStrings(start: index, count: 1)[0]
    }

    /// Every architecture string in index order (read once, then cached).
    public func metaArchs() throws -> [String] {
        if let cached = metaArchsCache { return cached }
        let all = try file.openDataset("meta_archs").readStrings()
        metaArchsCache = all
        return all
    }

    /// `query_index_by_arch(str)`: exact string match; nil where upstream returns -1.
    /// Fast path: the canonical index of a well-formed string, confirmed against the file.
    public func index(of arch: String) throws -> Int? {
        if let candidate = searchSpace.index(of: arch), candidate < count,
           try architecture(at: candidate) == arch {
            return candidate
        }
        return try metaArchs().firstIndex(of: arch)
    }

    /// `evaluated_indexes`, sorted as upstream sorts them.
    public func evaluatedIndexes() throws -> [Int] {
        try file.openDataset("evaluated_indexes").read(as: Int64.self).map(Int.init).sorted()
    }

    func table(_ schedule: Schedule, _ dataset: String) throws -> RunTableReader? {
        let key = "\(schedule.rawValue)/\(dataset)"
        if let t = tables[key] { return t }
        guard try file.exists(key) else { return nil }
        let t = try RunTableReader(group: try file.openGroup(key), dataset: dataset)
        tables[key] = t
        return t
    }

    /// `query_meta_info_by_index(index, hp)`: every run of `index` under `schedule`.
    public func results(index: Int, schedule: Schedule) throws -> ArchResults {
        guard (0..<count).contains(index) else { throw QueryError.indexOutOfRange(index) }
        guard try file.exists(schedule.rawValue) else { throw QueryError.noSuchSchedule(schedule.rawValue) }
        let archs = try file.openGroup("\(schedule.rawValue)/archs")
        let row = try archs.openDataset("row_of_index").read(as: Int64.self, start: [index], count: [1])[0]
        guard row >= 0 else { throw QueryError.notEvaluated(index: index) }
        let r = Int(row)
        let archString = try archs.openDataset("arch_str").readStrings(start: r, count: 1)[0]
        let clear = try archs.openDataset("clear_net_done").read(as: UInt8.self, start: [r], count: [1])[0] != 0
        let datasetList = try archs.openDataset("datasets").readStrings(start: r, count: 1)[0]
        var seeds: [(dataset: String, seeds: [Int])] = []
        var results: [ArchResults.RunKey: ResultsCount] = [:]
        for dataset in datasetList.split(separator: ",").map(String.init) {
            guard let table = try table(schedule, dataset), let range = try table.rowRange(of: index) else {
                seeds.append((dataset, []))
                continue
            }
            let runs = try table.runs(range)
            seeds.append((dataset, runs.map(\.seed)))
            for (seed, result) in runs { results[ArchResults.RunKey(dataset, seed)] = result }
        }
        var found = ArchResults(archIndex: index, archString: archString, datasetSeeds: seeds, results: results, clearNetDone: clear)
        found.costRule = costRule
        return found
    }

    /// `query_by_index(index, dataset, hp)[seed]`: one run.
    public func run(index: Int, dataset: String, schedule: Schedule, seed: Int) throws -> ResultsCount {
        let ar = try results(index: index, schedule: schedule)
        guard let seeds = ar.seeds(of: dataset) else {
            throw QueryError.noSuchDataset(index: index, dataset: dataset, available: ar.datasetNames)
        }
        guard let r = ar.results[ArchResults.RunKey(dataset, seed)] else {
            throw QueryError.noSuchSeed(index: index, dataset: dataset, seed: seed, available: seeds)
        }
        return r
    }

    /// `get_metrics`: `set` is train, x-valid, x-test, ori-test (or valid).
    public func metric(index: Int, dataset: String, set: String, schedule: Schedule, epoch: Int? = nil,
                       seeds: SeedSelection = .mean) throws -> Metric {
        try results(index: index, schedule: schedule).metric(dataset: dataset, set: set, epoch: epoch, seeds: seeds)
    }

    /// `get_cost_info(index, dataset, hp)`.
    public func costInfo(index: Int, dataset: String, schedule: Schedule) throws -> CostInfo {
        try results(index: index, schedule: schedule).computeCosts(dataset: dataset)
    }

    /// `api.get_latency(index, dataset, hp)`: the cost info's latency (mean over the seeds that
    /// have one), nil where upstream returns None.
    public func latency(index: Int, dataset: String, schedule: Schedule) throws -> Double? {
        try costInfo(index: index, dataset: dataset, schedule: schedule).latency
    }

    /// Data set names present under `schedule`.
    public func datasets(schedule: Schedule) throws -> [String] {
        guard try file.exists(schedule.rawValue) else { return [] }
        let names = try file.openGroup(schedule.rawValue).memberNames().filter { $0 != "archs" }
        return NB201Dataset.allCases.map(\.name).filter(names.contains) + names.filter { NB201Dataset(name: $0) == nil }
    }
}
