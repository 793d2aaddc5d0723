import ArgumentParser
import Foundation
import NASBench
import NASDataIO

/// `nasdata convert-benchmark IN.pth -o OUT.h5`: the NAS-Bench-201 meta file to the HDF5 benchmark.
struct ConvertBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert-benchmark",
        abstract: "Convert a NAS-Bench-201 meta file (.pth, legacy or zip) into an HDF5 benchmark.",
        discussion: """
            Streams the pickle: each architecture's results are converted and dropped as soon as they \
            are read, so memory stays far below the input size. Every number is kept bit for bit; the \
            layout is Schemas/nb201-benchmark.v1.json (check it with `nasdata check-schema OUT.h5`). \
            The output appears only when complete.
            """)

    @Argument(help: "The meta file, e.g. NAS-Bench-201-v1_1-096897.pth.")
    var input: String

    @Option(name: .shortAndLong, help: "The HDF5 benchmark to write.")
    var output: String

    @Option(help: "zlib level (0-9) for the per-epoch arrays, or -1 for no compression.")
    var deflate: Int = 4

    @Flag(help: "Print a JSON summary on standard output.")
    var json = false

    func validate() throws {
        guard (-1...9).contains(deflate) else { throw ValidationError("--deflate must be -1 or 0...9") }
    }

    func run() throws {
        try OutputPath.check(output, writes: ["h5", "hdf5"], format: "HDF5")
        let progress = Progress("convert-benchmark", unit: "archs")
        let summary: BenchmarkConverter.Summary
        do {
            summary = try BenchmarkConverter.convert(metaFile: input, to: output, deflate: deflate < 0 ? nil : deflate,
                                                     progress: progress)
        } catch {
            progress.finish()
            throw error
        }
        let runs = summary.runs.sorted { $0.key < $1.key }
        if json {
            print(JSONValue.object([
                ("input", .string(input)), ("output", .string(output)), ("source_format", .string(summary.sourceFormat)),
                ("meta_archs", .int(Int64(summary.metaArchs))), ("evaluated", .int(Int64(summary.evaluated))),
                ("runs", .object(runs.map { ($0.key, .int(Int64($0.value))) })),
            ]))
        } else {
            print("\(output): \(summary.metaArchs) architectures, \(summary.evaluated) evaluated, from \(summary.sourceFormat) \(input)")
            for (key, n) in runs { print("  hp \(key.replacingOccurrences(of: "/", with: ", ")): \(n) runs") }
        }
    }
}
