import ArgumentParser
import Checksums
import Foundation
import NASDataIO
import Verify
import Concurrency

struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Write a sha256sum-compatible manifest (with file sizes) of a directory.",
        discussion: """
        Lines are `<hex>  <path>` with paths relative to DIR, each preceded by a `# size BYTES PATH` \
        comment that sha256sum skips. Check it with `nasdata verify --manifest FILE --root DIR` \
        (sizes first, so truncation is reported without hashing) or `cd DIR && sha256sum -c FILE`.
        """)

    @Argument(help: "Directory to describe (walked recursively).")
    var directory: String

    @Option(name: .shortAndLong, help: "Manifest file to write (written atomically).")
    var output: String

    @Flag(help: "Write md5sum format instead of sha256sum.")
    var md5 = false

    @Option(help: "Files hashed in parallel (default: all cores).")
    var threads: Int?

    private var jobs: Int { threads ?? BoundedParallel.defaultJobs }

    @Flag(help: "Print a JSON summary.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        try OutputPath.checkWritable(output)
        let algorithm: HashAlgorithm = md5 ? .md5 : .sha256
        let (manifest, bytes): (Manifest, Int64)
        do {
            (manifest, bytes) = try ManifestBuilder.write(root: directory, to: output, algorithm: algorithm, jobs: jobs)
        } catch let error as IOError {
            throw error     // a write failure keeps its exit status (74)
        } catch {
            throw CommandFailure("\(error)")
        }
        if json {
            let summary: [String: Any] = ["manifest": output, "algorithm": algorithm.rawValue,
                                          "files": manifest.entries.count, "bytes": bytes]
            let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("wrote \(output): \(manifest.entries.count) files, \(bytes) bytes, \(algorithm.rawValue)")
        }
    }
}
