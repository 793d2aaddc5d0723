import ArgumentParser
import Concurrency
import NASBench
import NASDataIO

/// `nasdata convert-benchmark IN.pth -o OUT.h5`: the NAS-Bench-201 meta file to the HDF5 benchmark.
struct ConvertBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert-benchmark",
        abstract: "Convert a NAS-Bench-201 meta file (.pth) or a NATS-Bench benchmark (.pickle.pbz2, -simple folder or .tar) into an HDF5 benchmark.",
        discussion: """
            Streams the pickle: each architecture's results are converted and dropped as soon as they \
            are read, so memory stays far below the input size. Every number is kept bit for bit; the \
            layout is Schemas/nb201-benchmark.v2.json (check it with `nasdata check-schema OUT.h5`). \
            NATS-Bench's topology (tss) and size (sss) benchmarks are read in each form they are \
            published in: the single NATS-*-v1_0-*.pickle.pbz2, the -simple folder (meta.pickle.pbz2 \
            plus one file an architecture; a -full folder works too, its weights are skipped) or its \
            .tar; hp groups keep the files' keys (01, 12, 90, 200). The output appears only when complete.
            """)

    @Argument(help: "The meta file, e.g. NAS-Bench-201-v1_1-096897.pth.")
    var input: String

    @Option(name: .shortAndLong, help: "The HDF5 benchmark to write.")
    var output: String

    @Option(help: "zlib level (0-9) for the per-epoch arrays, or -1 for no compression.")
    var deflate: Int = 4

    @Flag(help: "Print a JSON summary on standard output.")
    var json = false

    @Option(name: .customLong("max-bytes"), help: "NATS-Bench: most bytes one .pickle.pbz2 may decompress to (default 1000x its size + 64 MiB).")
    var maxBytes: Int64?

    @Option(help: "NATS-Bench: threads that decompress and parse a folder's or tar's files (default: all cores); a single .pickle.pbz2 is decompressed on a second thread when this is above 1. The output is the same for any count.")
    var threads: Int?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (-1...9).contains(deflate) else { throw ValidationError("--deflate must be -1 or 0...9") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        try OutputPath.check(output, writes: ["h5", "hdf5"], format: "HDF5")
        var request = ConvertRequest(input: input, output: output)
        request.deflate = deflate < 0 ? nil : deflate
        request.maxBytes = maxBytes
        request.jobs = threads ?? BoundedParallel.defaultJobs
        let summary = try BenchmarkConverter.run(request, progress: Progress("convert-benchmark", unit: "archs"))
        print(json ? "\(summary.json)" : summary.lines.joined(separator: "\n"))
    }
}
