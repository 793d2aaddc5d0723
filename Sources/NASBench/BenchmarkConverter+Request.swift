import NASDataIO

/// What `nasdata convert-benchmark` asks: one benchmark, in whichever form it is published, to HDF5.
public struct ConvertRequest: Sendable {
    /// A NAS-Bench-201 meta file (.pth), or a NATS-Bench benchmark (.pickle.pbz2, -simple folder or .tar).
    public var input: String
    public var output: String
    /// zlib level for the per-epoch arrays; nil = no compression.
    public var deflate: Int? = 4
    /// NATS-Bench: most bytes one .pickle.pbz2 may decompress to (nil: the reader's default).
    public var maxBytes: Int64?
    /// NATS-Bench folders and tars: threads that decode the per-architecture files.
    public var jobs = 1

    public init(input: String, output: String) {
        self.input = input
        self.output = output
    }
}

extension BenchmarkConverter {
    /// Converts a NATS-Bench benchmark or a NAS-Bench-201 meta file, whichever `input` is.
    /// The progress display is finished on failure (success finishes it in the converter).
    public static func run(_ request: ConvertRequest, progress: Progress? = nil) throws -> Summary {
        do {
            if try isNATS(request.input) {
                return try convertNATS(source: request.input, to: request.output, deflate: request.deflate,
                                       maxBytes: request.maxBytes, jobs: request.jobs, progress: progress)
            }
            return try convert(metaFile: request.input, to: request.output, deflate: request.deflate, progress: progress)
        } catch {
            progress?.finish()
            throw error
        }
    }
}

extension BenchmarkConverter.Summary {
    /// The `--json` summary (runs by "hp/dataset" table, in key order).
    public var json: JSONValue {
        .object([
            ("input", .string(source)), ("output", .string(output)), ("source_format", .string(sourceFormat)),
            ("meta_archs", .int(Int64(metaArchs))), ("evaluated", .int(Int64(evaluated))),
            ("runs", .object(runs.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) })),
        ])
    }

    public var lines: [String] {
        ["\(output): \(metaArchs) architectures, \(evaluated) evaluated, from \(sourceFormat) \(source)"]
            + runs.sorted { $0.key < $1.key }.map { "  hp \($0.key.replacingOccurrences(of: "/", with: ", ")): \($0.value) runs" }
    }
}
