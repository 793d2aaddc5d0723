import Foundation
import HDF5
import HDF5Schema
import NASDataIO

/// What `nasdata selftest` does, as library calls: write, check and read back the sample
/// file (`run`), dump any HDF5 file as JSON (`dump`), measure write throughput (`bench`).
public enum HDF5SelfTest {
    /// The outcome of `run`: the lines to print and, when the files deviate from their
    /// schemas, the deviations (then `passed` is false and the lines stop before the verdict).
    public struct Report: Sendable {
        public var lines: [String]
        public var deviations: [String]
        public var passed: Bool { deviations.isEmpty }
    }

    /// Writes `path` and its external-link target beside it, reads every value back and
    /// checks both files against their schemas. Throws when a value does not read back.
    /// `createdBy` goes into the sample's `created_by` attribute.
    public static func run(path: String, createdBy: String = "nasdata selftest", schemas: SchemaLibrary? = nil) throws -> Report {
        let sample = SelfTestSample(path: path, createdBy: createdBy)
        let threads = try sample.write()
        var lines = ["selftest: wrote \(sample.path) and its external-link target \(sample.targetPath) (libhdf5 \(HDF5Library.version), thread-safe: \(HDF5Library.isThreadSafe))",
                     "  direct chunks compressed on \(threads) thread(s) with nasdata's own shuffle+deflate, written with H5Dwrite_chunk"]
        for line in try sample.verify() { lines.append("  read back: \(line)") }
        let library = try schemas ?? SchemaLibrary.locate()
        let deviations = try sample.checkSchemas(library)
        if !deviations.isEmpty { return Report(lines: lines, deviations: deviations.map { "\($0)" }) }
        lines.append("  schemas: \(sample.path) conforms to nasdata-selftest v1, \(sample.targetPath) to nasdata-selftest-target v1 (\(library.directory))")
        lines.append("selftest: OK")
        return Report(lines: lines, deviations: [])
    }

    /// Any HDF5 file's groups, datasets (values of those with at most `maxValues` elements),
    /// attributes and links, as JSON.
    public static func dump(path: String, maxValues: Int) throws -> JSONValue {
        let file = try File.open(path)
        defer { file.close() }
        return try TreeDump.dump(file, maxValues: maxValues)
    }

    /// Shuffle+deflate write throughput on `megabytes` MB, written to temporary files in `directory`:
    /// one line a mode.
    public static func bench(directory: String, megabytes: Int) throws -> [String] {
        try WriteBenchmark(directory: directory, megabytes: megabytes).run().map { r in
            String(format: "%@ threads=%d %.1f MB/s (%.2f s, file %.1f MB)", r.mode, r.threads, r.mbPerSecond,
                   r.seconds, Double(r.fileBytes) / 1_048_576)
        }
    }
}

/// The self-test found a value that did not read back as written, or schema deviations.
public struct SelfTestFailure: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
