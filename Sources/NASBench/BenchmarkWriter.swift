import HDF5
import NASCore

/// Writes an HDF5 benchmark (layout: `BenchmarkLayout`) from ArchResults handed over one at a
/// time, so a converter can stream a multi-GB meta file through it.
public final class BenchmarkWriter {
    public let file: File
    private let sourcePath: String
    private let deflate: Int?
    private var tables: [String: RunTableWriter] = [:]
    private var archRows: [Schedule: [(index: Int, arch: String, clear: Bool, datasets: String)]] = [:]
    /// The key each schedule has in the source (`less` / `full`, or NATS's `01`, `12`, `90`, `200`).
    private var sourceKeys: [Schedule: String] = [:]
    private var twelveEpochDatasets = Set<String>()
    /// Topology (NAS-Bench-201 and NATS tss) or size (NATS sss).
    public let searchSpace: SearchSpaceKind
    /// Architectures in the space (the length of the per-index tables).
    public var archCount: Int { searchSpace.count }

    /// - deflate: zlib level for the per-epoch arrays (with HDF5's shuffle filter), nil for none.
    public init(file: File, sourcePath: String, deflate: Int? = 4, searchSpace: SearchSpaceKind = .topology) throws {
        self.file = file
        self.sourcePath = sourcePath
        self.deflate = deflate
        self.searchSpace = searchSpace
    }

    /// Adds the results of one architecture under one schedule (`sourceKey`: its key in the
    /// source file, default the NAS-Bench-201 meta file's `less` / `full`).
    public func append(_ results: ArchResults, schedule: Schedule, sourceKey: String? = nil) throws {
        sourceKeys[schedule] = sourceKey ?? schedule.fileKey
        archRows[schedule, default: []].append((results.archIndex, results.archString, results.clearNetDone,
                                                results.datasetNames.joined(separator: ",")))
        for dataset in results.datasetNames {
            let runs = try results.runs(on: dataset)
            guard !runs.isEmpty else { continue }
            if schedule == .twelve { twelveEpochDatasets.insert(dataset) }
            let key = "\(schedule.rawValue)/\(dataset)"
            let table: RunTableWriter
            if let t = tables[key] {
                table = t
            } else {
                guard !dataset.contains("/"), !dataset.contains(",") else {
                    throw BenchmarkFormatError(file: sourcePath, location: "arch \(results.archIndex)",
                                               reason: "unsupported data set name '\(dataset)'")
                }
                let group = try file.createGroup(key)
                table = try RunTableWriter(group: group, dataset: dataset, epochs: runs[0].result.epochs, deflate: deflate,
                                           archCount: archCount)
                tables[key] = table
            }
            try table.append(archIndex: results.archIndex, runs: runs, file: sourcePath)
        }
    }

    /// Writes the top-level lists, the per-schedule architecture tables and the root attributes.
    /// `schedules`: those every output has (NAS-Bench-201: 12 and 200), besides those appended.
    public func finish(metaArchs: [String], evaluatedIndexes: [Int], totalArchs: Int?, sourceFormat: String,
                       schedules: [Schedule] = []) throws {
        for table in tables.values { try table.finish() }
        for schedule in Set(schedules).union(archRows.keys).sorted(by: { $0.epochs < $1.epochs }) {
            let rows = archRows[schedule] ?? []
            let key = sourceKeys[schedule] ?? schedule.fileKey
            let group = try file.requireGroup(schedule.rawValue)
            try group.setAttribute("epochs", .int(Int64(schedule.epochs)))
            try group.setAttribute("source_key", .string(key))
            let archs = try group.createGroup("archs")
            var rowOf = [Int64](repeating: -1, count: archCount)
            for (row, r) in rows.enumerated() {
                guard (0..<archCount).contains(r.index) else {
                    throw BenchmarkFormatError(file: sourcePath, location: "arch2infos[\(r.index)]['\(key)']",
                                               reason: "arch_index outside 0..<\(archCount)")
                }
                guard rowOf[r.index] < 0 else {
                    throw BenchmarkFormatError(file: sourcePath, location: "arch2infos[\(r.index)]['\(key)']",
                                               reason: "architecture \(r.index) appears twice")
                }
                rowOf[r.index] = Int64(row)
            }
            try archs.createDataset("arch_index", dtype: .int64, shape: [rows.count]).write(rows.map { Int64($0.index) })
            try archs.createDataset("clear_net_done", dtype: .uint8, shape: [rows.count]).write(rows.map { $0.clear ? UInt8(1) : 0 })
            try archs.createStringDataset("arch_str", rows.map(\.arch))
            try archs.createStringDataset("datasets", rows.map(\.datasets))
            try archs.createDataset("row_of_index", dtype: .int64, shape: [archCount]).write(rowOf)
        }
        try file.createStringDataset("meta_archs", metaArchs, chunk: 4096, deflate: 4)
        try file.createDataset("evaluated_indexes", dtype: .int64, shape: [evaluatedIndexes.count])
            .write(evaluatedIndexes.map(Int64.init))
        try file.setAttribute("nasdata_schema", .string(BenchmarkLayout.schemaName))
        try file.setAttribute("nasdata_schema_version", .int(BenchmarkLayout.schemaVersion))
        try file.setAttribute("created_by", .string("nasdata convert-benchmark"))
        try file.setAttribute("source_file", .string(String(sourcePath.split(separator: "/").last ?? "")))
        try file.setAttribute("source_format", .string(sourceFormat))
        let nb201Layout = twelveEpochDatasets.subtracting(["cifar10-valid"]).isEmpty ? "v1.0" : "v1.1"
        try file.setAttribute("source_layout", .string(sourceFormat.hasPrefix("nats") ? "nats-v1.0" : nb201Layout))
        try file.setAttribute("search_space", .string(searchSpace.rawValue))
        try file.setAttribute("total_archs", .int(Int64(totalArchs ?? -1)))
    }
}
