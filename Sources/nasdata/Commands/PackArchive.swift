import ArgumentParser
import Foundation
import NASCore
import WeightArchive
import Compression

/// `nasdata pack-archive`: the FULL weight files into one HDF5 archive (or a shard of it).
struct PackArchive: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack-archive",
        abstract: "Pack NAS-Bench-201 {index:06d}-FULL.pth or NATS-Bench full-archive weight files into one HDF5 archive.",
        discussion: """
        INPUT is a directory of FULL files, the archive .tar (or .tar.gz) read as a stream, or the \
        split parts of the tar (archive.taraa archive.tarab ...) given in order. NATS-Bench's \
        NATS-tss-v1_0-3ffb9-full / NATS-sss-v1_0-50262-full folder, its .tar or split parts \
        ({index:06d}.pickle.pbz2 files, bz2-decompressed on all cores) are packed the same way; \
        the names say the search space (or --space). Memory stays bounded \
        whatever the input size. The pack is resumable: after a crash or kill -9, run the same command \
        again and it continues from its last durable point (one --batch-mb of input is redone at most). \
        --shard K/N packs only architectures with index % N == K (K from 0), for one machine of many; \
        join the shards with merge-archive.
        """)

    @Argument(help: "A directory of FULL files, a .tar, or the tar's split parts in order.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "The archive to write (or resume).")
    var output: String

    @Option(name: .long, help: "Pack only architectures with index % N == K (K/N, K from 0).")
    var shard: String?

    @Option(name: .long, help: "NATS-Bench inputs whose names do not say their space (NATS-tss-*, NATS-sss-*): tss or sss.")
    var space: SearchSpaceKind?

    @Flag(name: .long, help: "Skip bad input files (listed in the report and kept in the archive) instead of stopping.")
    var keepGoing = false

    @Option(name: .long, help: "Input MB between durable points (work redone after a kill is at most this).")
    var batchMb = 256.0

    @Option(name: .long, help: "Chunk size of the tensor blob in KiB (measured default: 1024).")
    var chunkKb = 1024

    @Option(name: .long, help: "zlib level of the tensor blob (measured default: 1).")
    var level = 1

    @Option(name: .long, help: "zlib strategy for the blob: huffman (measured default), default or rle.")
    var strategy = "huffman"

    @Option(name: .long, help: "Compression threads (default: all cores).")
    var threads: Int?

    @Option(name: .long, help: "Also write the report (JSON) to this file.")
    var report: String?

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try OutputPath.check(output, writes: ["h5", "hdf5"], format: "HDF5")
        var options = PackOptions(inputs: try PackInputs.detect(inputs), output: output)
        if let shard { options.settings.shard = try Shard(parsing: shard) }
        options.files = space.map { .nats($0) }
        guard chunkKb >= 4, chunkKb <= 65536, chunkKb % 4 == 0 else {
            throw ValidationError("--chunk-kb must be a multiple of 4 between 4 and 65536")
        }
        guard (0...9).contains(level) else { throw ValidationError("--level must be 0-9") }
        guard let strategy = Deflate.Strategy(rawValue: strategy) else {
            throw ValidationError("--strategy must be huffman, default or rle")
        }
        options.settings.chunkBytes = chunkKb << 10
        options.settings.deflateLevel = level
        options.settings.strategy = strategy
        if let threads { options.settings.workers = max(1, threads) }
        options.keepGoing = keepGoing
        options.batchBytes = max(1, Int(batchMb * 1048576))
        if let stop = ProcessInfo.processInfo.environment["NASDATA_TEST_STOP_AFTER_COMMITS"], let n = Int(stop) {
            options.stopAfterCommits = n
        }
        let result = try Packer.pack(options)
        if let report { try (result.json + "\n").write(toFile: report, atomically: true, encoding: .utf8) }
        if json {
            print(result.json)
        } else if result.alreadyComplete {
            print("\(output): already complete (\(result.totalRuns) runs); nothing to do")
        } else {
            let mb = Double(result.inputBytes) / 1e6
            print(String(format: "%@: packed %d files (%d runs, %.1f MB in, %.1f MB archive) in %.1f s (%.1f MB/s)%@",
                         output, result.filesPacked, result.runsPacked, mb, Double(result.archiveBytes) / 1e6,
                         result.seconds, mb / max(result.seconds, 1e-9),
                         result.resumedAt > 0 ? "; resumed after input \(result.resumedAt)" : ""))
            if result.skippedOtherShards > 0 { print("  \(result.skippedOtherShards) files belong to other shards") }
            for p in result.problems { print("  skipped \(p.member): \(p.error)") }
        }
        fflush(nil)
    }
}
