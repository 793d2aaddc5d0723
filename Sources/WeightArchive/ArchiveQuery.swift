import Foundation
import NASCore
import NASDataIO
import TorchFormats

/// `nasdata archive ls`: the runs of an archive, optionally of one architecture.
public struct ArchiveListing: Sendable {
    public struct Row: Sendable {
        public var key: ArchiveRunKey
        public var tensors: Int
        public var bytes: Int
        /// The file the run was packed from.
        public var source: String
    }

    public var rows: [Row]

    /// The `--json` document: an array, one object a run.
    public var json: String {
        "[" + rows.map { row in
            ArchiveJSON.object([
                ("arch_index", .int(Int64(row.key.archIndex))), ("hp", .int(Int64(row.key.hp))),
                ("dataset", .string(row.key.dataset)), ("seed", .int(Int64(row.key.seed))),
                ("tensors", .int(Int64(row.tensors))), ("bytes", .int(Int64(row.bytes))),
                ("source", .string(row.source)),
            ])
        }.joined(separator: ",\n ") + "]"
    }

    /// A tab-separated table with a header line.
    public var lines: [String] {
        ["arch\thp\tdataset\tseed\ttensors\tbytes"]
            + rows.map { "\($0.key.archIndex)\t\($0.key.schedule?.rawValue ?? String($0.key.hp))\t\($0.key.dataset)\t\($0.key.seed)\t\($0.tensors)\t\($0.bytes)" }
    }
}

/// `nasdata archive info`: what an archive (or master file) holds, in a fixed field order.
public struct ArchiveSummary: Sendable {
    /// path, schema, files, complete, sources, runs, architectures, runs_by_dataset, tensor_bytes,
    /// input_bytes, archive_bytes, archive_to_input, problems, then the packing settings recorded.
    public var fields: [(String, JSONValue)]

    public func field(_ name: String) -> JSONValue? { fields.first { $0.0 == name }?.1 }

    public var json: String { ArchiveJSON.object(fields) }

    /// One `name: value` line a field; lists one item a line (or `none`).
    public var lines: [String] {
        fields.map { k, v in
            let text: String
            switch v {
            case .string(let s): text = s
            case .array(let a): text = a.isEmpty ? "none" : a.map { if case .string(let s) = $0 { return s }; return ArchiveJSON.encode($0) }.joined(separator: "\n    ")
            default: text = ArchiveJSON.encode(v)
            }
            return "\(k): \(text)"
        }
    }
}

/// `nasdata archive extract`: one run's state dict written as .pth (torch zip) or .safetensors.
public struct ArchiveExtractRequest {
    public var archive: String
    /// The run, named in the archive's search space (known once the archive is open).
    public var run: (SearchSpaceKind) throws -> RunKey
    /// .safetensors (with the run in its metadata), else torch zip.
    public var output: String
    /// Also write the run's results JSON to OUTPUT.results.json.
    public var results = false

    public init(archive: String, output: String, run: @escaping (SearchSpaceKind) throws -> RunKey) {
        self.archive = archive
        self.output = output
        self.run = run
    }

    public init(archive: String, key: RunKey, output: String) {
        self.init(archive: archive, output: output) { _ in key }
    }
}

public struct ArchiveExtractReport: Sendable {
    public var output: String
    public var key: ArchiveRunKey
    public var tensors: Int
    public var bytes: Int
    public var archStr: String
    /// Time to open the archive, and to find and read the run, in ms (0.1 ms steps).
    public var openMs: Double
    public var fetchMs: Double

    public var json: String {
        ArchiveJSON.object([
            ("output", .string(output)), ("tensors", .int(Int64(tensors))),
            ("bytes", .int(Int64(bytes))), ("arch_str", .string(archStr)),
            ("open_ms", .double(openMs)), ("fetch_ms", .double(fetchMs)),
        ])
    }

    public var line: String { "\(output): \(tensors) tensors of \(key) (\(archStr))" }
}

/// The read-only archive subcommands: list, summarize, extract one run.
public enum ArchiveQuery {
    public static func list(archive: String, arch: ArchitectureSelector? = nil) throws -> ArchiveListing {
        let reader = try ArchiveReader(path: archive)
        let wanted = try arch.map { try reader.archIndex($0) }
        return ArchiveListing(rows: reader.runs.filter { wanted == nil || $0.key.archIndex == wanted }.map {
            .init(key: $0.key, tensors: $0.tensorCount, bytes: $0.byteCount, source: reader.source(of: $0).name)
        })
    }

    public static func info(archive: String) throws -> ArchiveSummary {
        let reader = try ArchiveReader(path: archive)
        let inputBytes = reader.sources.reduce(Int64(0)) { $0 + $1.size }
        let fileBytes = reader.partPaths.reduce(Int64(0)) { $0 + fileSize($1) }
        var datasets: [String: Int] = [:]
        for r in reader.runs { datasets[r.key.dataset, default: 0] += 1 }
        let settings: [(String, JSONValue)] = try ["chunk_bytes", "deflate_level", "deflate_strategy", "shard"].compactMap { name in
            switch try reader.attribute(name) {
            case .int(let v)?: return (name, .int(v))
            case .string(let v)?: return (name, .string(v))
            default: return nil
            }
        }
        return ArchiveSummary(fields: [
            ("path", .string(archive)), ("schema", .string(reader.isMaster ? "nb201-archive-master" : "nb201-archive")),
            ("benchmark", .string(reader.files.benchmark)), ("search_space", .string(reader.searchSpace.rawValue)),
            ("files", .array(reader.partPaths.map { .string($0) })),
            ("complete", .bool(reader.isComplete)),
            ("sources", .int(Int64(reader.sources.count))), ("runs", .int(Int64(reader.runs.count))),
            ("architectures", .int(Int64(Set(reader.sources.map(\.archIndex)).count))),
            ("runs_by_dataset", .object(datasets.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) })),
            ("tensor_bytes", .int(Int64(reader.blobBytes))), ("input_bytes", .int(inputBytes)),
            ("archive_bytes", .int(fileBytes)),
            ("archive_to_input", .double(inputBytes > 0 ? Double(fileBytes) / Double(inputBytes) : 0)),
            ("problems", .array(reader.problems.map { .string($0) })),
        ] + settings)
    }

    public static func extract(_ request: ArchiveExtractRequest) throws -> ArchiveExtractReport {
        let output = request.output
        let t0 = Date()
        let reader = try ArchiveReader(path: request.archive)
        let t1 = Date()
        let key = try request.run(reader.searchSpace)
        let run = try reader.run(arch: key.architecture, dataset: key.dataset.name, seed: key.seed, schedule: key.schedule)
        let sd = try reader.stateDict(of: run)
        let t2 = Date()
        let source = reader.source(of: run)
        try AtomicOutput.write(to: output) { temp in
            if output.hasSuffix(".safetensors") {
                try Safetensors.write(sd, metadata: [
                    "arch_index": String(run.key.archIndex), "arch_str": source.archStr,
                    "dataset": run.key.dataset, "seed": String(run.key.seed),
                    "hp": run.key.schedule?.rawValue ?? String(run.key.hp), "search_space": reader.searchSpace.rawValue,
                ], to: temp)
            } else {
                try TorchSave.writeStateDict(sd, to: temp)
            }
        }
        if request.results {
            try AtomicOutput.write(to: output + ".results.json") { temp in
                try (try reader.resultsJSON(run) + "\n").write(toFile: temp, atomically: false, encoding: .utf8)
            }
        }
        return ArchiveExtractReport(output: output, key: run.key, tensors: sd.count, bytes: run.byteCount, archStr: source.archStr,
                                    openMs: (t1.timeIntervalSince(t0) * 1e4).rounded() / 10,
                                    fetchMs: (t2.timeIntervalSince(t1) * 1e4).rounded() / 10)
    }

    private static func fileSize(_ path: String) -> Int64 {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
    }
}
