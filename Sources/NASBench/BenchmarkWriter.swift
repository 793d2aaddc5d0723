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
    private var twelveEpochDatasets = Set<String>()

    /// - deflate: zlib level for the per-epoch arrays (with HDF5's shuffle filter), nil for none.
    public init(file: File, sourcePath: String, deflate: Int? = 4) throws {
        self.file = file
        self.sourcePath = sourcePath
        self.deflate = deflate
    }

    /// Adds the results of one architecture under one schedule.
    public func append(_ results: ArchResults, schedule: Schedule) throws {
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
                table = try RunTableWriter(group: group, dataset: dataset, epochs: runs[0].result.epochs, deflate: deflate)
                tables[key] = table
            }
            try table.append(archIndex: results.archIndex, runs: runs, file: sourcePath)
        }
    }

    /// Writes the top-level lists, the per-schedule architecture tables and the root attributes.
    public func finish(metaArchs: [String], evaluatedIndexes: [Int], totalArchs: Int?, sourceFormat: String) throws {
        for table in tables.values { try table.finish() }
        for schedule in Schedule.nasBench201 {
            let rows = archRows[schedule] ?? []
            let group = try file.requireGroup(schedule.rawValue)
            try group.setAttribute("epochs", .int(Int64(schedule.epochs)))
            try group.setAttribute("source_key", .string(schedule.fileKey))
            let archs = try group.createGroup("archs")
            var rowOf = [Int64](repeating: -1, count: SearchSpace.count)
            for (row, r) in rows.enumerated() {
                guard rowOf[r.index] < 0 else {
                    throw BenchmarkFormatError(file: sourcePath, location: "arch2infos[\(r.index)]['\(schedule.fileKey)']",
                                               reason: "architecture \(r.index) appears twice")
                }
                rowOf[r.index] = Int64(row)
            }
            try archs.createDataset("arch_index", dtype: .int64, shape: [rows.count]).write(rows.map { Int64($0.index) })
            try archs.createDataset("clear_net_done", dtype: .uint8, shape: [rows.count]).write(rows.map { $0.clear ? UInt8(1) : 0 })
            try archs.createStringDataset("arch_str", rows.map(\.arch))
            try archs.createStringDataset("datasets", rows.map(\.datasets))
            try archs.createDataset("row_of_index", dtype: .int64, shape: [SearchSpace.count]).write(rowOf)
        }
        try file.createStringDataset("meta_archs", metaArchs, chunk: 4096, deflate: 4)
        try file.createDataset("evaluated_indexes", dtype: .int64, shape: [evaluatedIndexes.count])
            .write(evaluatedIndexes.map(Int64.init))
        try file.setAttribute("nasdata_schema", .string(BenchmarkLayout.schemaName))
        try file.setAttribute("nasdata_schema_version", .int(BenchmarkLayout.schemaVersion))
        try file.setAttribute("created_by", .string("nasdata convert-benchmark"))
        try file.setAttribute("source_file", .string(String(sourcePath.split(separator: "/").last ?? "")))
        try file.setAttribute("source_format", .string(sourceFormat))
        try file.setAttribute("source_layout", .string(twelveEpochDatasets.subtracting(["cifar10-valid"]).isEmpty ? "v1.0" : "v1.1"))
        try file.setAttribute("total_archs", .int(Int64(totalArchs ?? -1)))
    }
}
