import ArgumentParser
import Foundation
import HDF5
import NASDataIO
import TorchFormats
import WeightArchive
import NASCore

/// `nasdata archive ls|info|extract`: read a packed weight archive.
struct Archive: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a weight archive made by pack-archive: list runs, summarize, extract one state dict.",
        subcommands: [List.self, Info.self, Extract.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the runs of an archive.")

        @Argument(help: "The archive (or master file).") var archive: String
        @Option(name: .long, help: "Only this architecture (index or string of the archive's search space).") var arch: String?
        @Flag(name: .long, help: "Print JSON (one object a run).") var json = false

        @OptionGroup var global: GlobalOptions

        func run() throws {
            do {
                let reader = try ArchiveReader(path: archive)
                let wanted = try arch.map { try reader.archIndex(ArchitectureSelector(parsing: $0)) }
                var lines: [String] = []
                for run in reader.runs where wanted == nil || run.key.archIndex == wanted {
                    if json {
                        lines.append(ArchiveJSON.object([
                            ("arch_index", .int(Int64(run.key.archIndex))), ("hp", .int(Int64(run.key.hp))),
                            ("dataset", .string(run.key.dataset)), ("seed", .int(Int64(run.key.seed))),
                            ("tensors", .int(Int64(run.tensorCount))), ("bytes", .int(Int64(run.byteCount))),
                            ("source", .string(reader.source(of: run).name)),
                        ]))
                    } else {
                        lines.append("\(run.key.archIndex)\t\(run.key.schedule?.rawValue ?? String(run.key.hp))\t\(run.key.dataset)\t\(run.key.seed)\t\(run.tensorCount)\t\(run.byteCount)")
                    }
                }
                if json {
                    print("[" + lines.joined(separator: ",\n ") + "]")
                } else {
                    print("arch\thp\tdataset\tseed\ttensors\tbytes")
                    lines.forEach { print($0) }
                }
            }
        }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Summarize an archive.")

        @Argument(help: "The archive (or master file).") var archive: String
        @Flag(name: .long, help: "Print JSON.") var json = false

        @OptionGroup var global: GlobalOptions

        func run() throws {
            do {
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
                let fields: [(String, JSONValue)] = [
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
                ] + settings
                if json {
                    print(ArchiveJSON.object(fields))
                } else {
                    for (k, v) in fields {
                        let text: String
                        switch v {
                        case .string(let s): text = s
                        case .array(let a): text = a.isEmpty ? "none" : a.map { if case .string(let s) = $0 { return s }; return ArchiveJSON.encode($0) }.joined(separator: "\n    ")
                        default: text = ArchiveJSON.encode(v)
                        }
                        print("\(k): \(text)")
                    }
                }
            }
        }
    }

    struct Extract: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write one run's state dict as .pth (torch zip format) or .safetensors.",
            discussion: "The .pth loads with torch.load(weights_only=True) and load_state_dict(strict=True) on the TinyNetwork of that architecture.")

        @Argument(help: "The archive (or master file).") var archive: String
        @OptionGroup var selected: RunOptions
        @Option(name: .shortAndLong, help: "Output file: .pth or .safetensors.") var output: String
        @Flag(name: .long, help: "Also write the run's results JSON next to the output (OUT.results.json).") var results = false
        @Flag(name: .long, help: "Print what was written as JSON, with the open and fetch times in ms.") var json = false

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try OutputPath.check(output, writes: ["pth", "pt", "safetensors"], format: "a torch state dict or safetensors")
            let isPth = !output.hasSuffix(".safetensors")
            do {
                let t0 = Date()
                let reader = try ArchiveReader(path: archive)
                let t1 = Date()
                let key = try selected.runKey(space: reader.searchSpace)
                let run = try reader.run(arch: key.architecture, dataset: key.dataset.name, seed: key.seed, schedule: key.schedule)
                let sd = try reader.stateDict(of: run)
                let t2 = Date()
                let source = reader.source(of: run)
                try AtomicOutput.write(to: output) { temp in
                    if isPth {
                        try TorchSave.writeStateDict(sd, to: temp)
                    } else {
                        try Safetensors.write(sd, metadata: [
                            "arch_index": String(run.key.archIndex), "arch_str": source.archStr,
                            "dataset": run.key.dataset, "seed": String(run.key.seed),
                            "hp": run.key.schedule?.rawValue ?? String(run.key.hp), "search_space": reader.searchSpace.rawValue,
                        ], to: temp)
                    }
                }
                if results {
                    try AtomicOutput.write(to: output + ".results.json") { temp in
                        try (try reader.resultsJSON(run) + "\n").write(toFile: temp, atomically: false, encoding: .utf8)
                    }
                }
                if json {
                    print(ArchiveJSON.object([
                        ("output", .string(output)), ("tensors", .int(Int64(sd.count))),
                        ("bytes", .int(Int64(run.byteCount))), ("arch_str", .string(source.archStr)),
                        ("open_ms", .double((t1.timeIntervalSince(t0) * 1e4).rounded() / 10)),
                        ("fetch_ms", .double((t2.timeIntervalSince(t1) * 1e4).rounded() / 10)),
                    ]))
                } else {
                    print("\(output): \(sd.count) tensors of \(run.key) (\(source.archStr))")
                }
            }
        }
    }
}

private func fileSize(_ path: String) -> Int64 {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
}

/// One line on standard error (the C `stderr` global is not concurrency-safe in Swift 6).
func archivePrintError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
