import ArgumentParser
import Checksums
import Foundation
import Verify
import Concurrency

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that downloaded or generated files are what they claim to be.",
        discussion: """
        Each file is matched by name (and size) to the strongest rule available: the checksum \
        suffix in benchmark file names, the published md5/sha256 of CIFAR, ImageNet16 and split \
        files, structure checks of weight files and nasdata HDF5 outputs, or a manifest written by \
        `nasdata manifest`. HTML pages saved under a data file's name (failed Google Drive \
        downloads) are recognised. Exit status 1 if any file failed (or, with --strict, could not \
        be checked).
        """)

    @Argument(help: "Files or directories (walked recursively).")
    var paths: [String] = []

    @Option(help: "Check the files listed in this sha256sum/md5sum-format manifest.")
    var manifest: String?

    @Option(help: "Directory the manifest's paths are relative to (default: the manifest's directory).")
    var root: String?

    @Option(help: "Files hashed in parallel (default: all cores).")
    var threads: Int?

    private var jobs: Int { threads ?? BoundedParallel.defaultJobs }

    @Flag(help: "Print JSON instead of the table.")
    var json = false

    @Flag(help: "Also fail if a file could not be checked (no rule, or rule not available).")
    var strict = false

    @Flag(help: "Benchmark meta files: check the name suffix only, not the structure (which parses the whole pickle).")
    var hashOnly = false

    @Flag(help: .hidden)
    var inProcess = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if paths.isEmpty && manifest == nil { throw ValidationError("give at least one PATH or --manifest FILE") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if root != nil && manifest == nil { throw ValidationError("--root only applies with --manifest") }
    }

    func run() throws {
        var verifier = Verifier(jobs: jobs, showProgress: !inProcess, hashOnly: hashOnly)
        // HDF5 files are read in a child process (libhdf5 can crash on crafted files).
        if !inProcess, let me = Bundle.main.executablePath {
            verifier.isolation = [me, "verify", "--json", "--threads", "1", "--in-process", "--"]
        }
        let reports: [FileReport]
        do { reports = try verifier.verify(manifestFile: manifest, root: root, paths: paths) } catch {
            throw CommandFailure("\(error)")
        }
        print(json ? ReportTable.json(reports) : ReportTable.text(reports), terminator: "")
        fflush(nil)
        let summary = VerifySummary(reports)
        if summary.failed > 0 || (strict && summary.unchecked > 0) { throw ExitStatus.problemFound.code }
    }
}
