import ArgumentParser
import Foundation
import SelfTest

/// `nasdata selftest -o FILE.h5`: exercises the HDF5 layer end to end.
/// `nasdata selftest --read FILE.h5`: dumps any HDF5 file as JSON (interop checks).
struct SelfTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Write, check and read back a sample HDF5 file exercising every feature nasdata's HDF5 layer has.",
        discussion: """
            With -o, writes FILE.h5 (every dtype, chunked + compressed data written through HDF5's \
            filter pipeline and as direct chunks compressed on our own threads, strings, attributes, \
            an external link) and its link target FILE.target.h5, checks both against their schemas \
            (nasdata-selftest v1, nasdata-selftest-target v1), reads every value back and compares.
            With --read, prints any HDF5 file's groups, datasets (dtype, shape, layout, values), \
            attributes and links as JSON, e.g. to compare with what h5py wrote.
            """)

    @Option(name: .shortAndLong, help: "The sample file to write (its link target goes beside it).")
    var output: String?

    @Option(help: "Dump this HDF5 file as JSON instead of writing a sample.")
    var read: String?

    @Option(help: "With --read: print values of datasets with at most this many elements.")
    var maxValues = 10_000

    @Option(help: ArgumentHelp("Measure shuffle+deflate write throughput on this many MB (writes temporary files in -o's directory).", visibility: .hidden))
    var benchMb: Int?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if (output == nil) == (read == nil) { throw ValidationError("give -o FILE.h5 (write a sample) or --read FILE.h5 (dump a file)") }
    }

    func run() throws {
        if let output { try OutputPath.check(output, writes: ["h5", "hdf5"], format: "HDF5") }
        do {
            if let read {
                print(try HDF5SelfTest.dump(path: read, maxValues: maxValues))
                return
            }
            if let benchMb {
                let dir = URL(fileURLWithPath: output!).deletingLastPathComponent().path
                for line in try HDF5SelfTest.bench(directory: dir, megabytes: benchMb) { print(line) }
                return
            }
            let report = try HDF5SelfTest.run(path: output!, createdBy: "nasdata \(NASData.configuration.version) selftest")
            for line in report.lines { print(line) }
            if !report.passed {
                for d in report.deviations { printError("  \(d)") }
                throw CommandFailure(.problemFound, "\(report.deviations.count) schema deviation(s)")
            }
        }
    }
}
