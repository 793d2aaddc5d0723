import ArgumentParser
import Foundation
import WeightArchive

/// `nasdata merge-archive`: shard archives into one.
struct MergeArchive: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-archive",
        abstract: "Join shard archives (pack-archive --shard K/N) into one archive.",
        discussion: """
        By default every run is copied into one new file. With --links the output is a small master \
        file of HDF5 external links to the shards (keep them beside it); nasdata and h5py read both.
        """)

    @Argument(help: "The shard archives.")
    var shards: [String]

    @Option(name: .shortAndLong, help: "The merged archive (or master file with --links).")
    var output: String

    @Flag(name: .long, help: "Write a master file of external links instead of copying.")
    var links = false

    @Flag(name: .long, help: "Merge even if some shards of K/N are missing.")
    var allowPartial = false

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try OutputPath.check(output, writes: ["h5", "hdf5"], format: "HDF5")
        do {
            let report = try ArchiveMerger.merge(shards: shards, output: output, mode: links ? .links : .copy,
                                                 allowPartial: allowPartial)
            if json { print(report.json) } else {
                print("\(output): \(report.shards) shards, \(report.sources) files, \(report.runs) runs\(links ? " (external links)" : "")")
            }
        }
    }
}
