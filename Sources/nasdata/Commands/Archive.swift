import ArgumentParser
import Foundation
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
            let listing = try ArchiveQuery.list(archive: archive, arch: arch.map(ArchitectureSelector.init(parsing:)))
            print(json ? listing.json : listing.lines.joined(separator: "\n"))
        }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Summarize an archive.")

        @Argument(help: "The archive (or master file).") var archive: String
        @Flag(name: .long, help: "Print JSON.") var json = false

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let summary = try ArchiveQuery.info(archive: archive)
            print(json ? summary.json : summary.lines.joined(separator: "\n"))
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
            var request = ArchiveExtractRequest(archive: archive, output: output) { try selected.runKey(space: $0) }
            request.results = results
            let report = try ArchiveQuery.extract(request)
            print(json ? report.json : report.line)
        }
    }
}

/// One line on standard error (the C `stderr` global is not concurrency-safe in Swift 6).
func archivePrintError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
