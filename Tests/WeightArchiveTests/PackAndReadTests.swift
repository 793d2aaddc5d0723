import Checksums
import Foundation
import HDF5
import XCTest
import NASCore
@testable import WeightArchive

final class PackAndReadTests: XCTestCase {
    func testPackDirectoryKeepsEveryRunBitExactWithResultsAndSources() throws {
        let out = ArchiveFixtures.tempDirectory() + "/a.h5"
        let report = try ArchiveFixtures.pack(.directory(ArchiveFixtures.directory), to: out)
        XCTAssertEqual(report.filesPacked, 3)
        XCTAssertEqual(report.runsPacked, 6)
        XCTAssertTrue(report.problems.isEmpty)

        let reader = try ArchiveReader(path: out)
        XCTAssertTrue(reader.isComplete)
        XCTAssertEqual(reader.sources.map(\.name), ArchiveFixtures.names)
        for (name, file) in ArchiveFixtures.expected {
            let source = try XCTUnwrap(reader.sources.first { $0.name == name })
            XCTAssertEqual(source.archIndex, file.arch_index)
            XCTAssertEqual(source.archStr, file.arch_str)
            XCTAssertEqual(source.size, file.size)
            XCTAssertEqual(ArchiveFixtures.hex(source.md5), file.md5)
            for run in file.runs {
                // By index and by architecture string: the same run.
                let sd = try reader.stateDict(arch: .index(file.arch_index), dataset: run.dataset, seed: run.seed, schedule: Schedule(epochs: run.hp))
                let viaString = try reader.stateDict(arch: .string(file.arch_str), dataset: run.dataset, seed: run.seed, schedule: Schedule(epochs: run.hp))
                XCTAssertEqual(sd, viaString)
                XCTAssertEqual(sd.count, run.tensors)
                XCTAssertEqual(sd.names.first, run.first)
                let h = SHA256()
                for (_, t) in sd.entries { h.update(t.bytes) }
                XCTAssertEqual(h.finalize().hex, run.tensor_bytes_sha256, "\(name) \(run.dataset) hp \(run.hp)")
                XCTAssertEqual(sd["stem.1.num_batches_tracked"]?.dtype, .int64)
                XCTAssertEqual(sd["stem.1.num_batches_tracked"]?.shape, [])

                let info = try reader.run(arch: .index(file.arch_index), dataset: run.dataset, seed: run.seed, schedule: Schedule(epochs: run.hp))
                let results = try JSONSerialization.jsonObject(with: Data(try reader.resultsJSON(info).utf8)) as! [String: Any]
                XCTAssertEqual(results["params"] as? Double, run.params)
                XCTAssertEqual(results["epochs"] as? Int, run.hp)
                XCTAssertEqual((results["train_acc1es"] as? [String: Any])?.count, run.hp)
                XCTAssertNil(results["net_state_dict"])

                // Without a seed: the lowest one recorded for that data set and schedule.
                let lowest = file.runs.filter { $0.dataset == run.dataset && $0.hp == run.hp }.map(\.seed).min()
                XCTAssertEqual(try reader.run(arch: .index(file.arch_index), dataset: run.dataset, seed: nil,
                                              schedule: Schedule(epochs: run.hp)).key.seed, lowest)
            }
        }
        XCTAssertThrowsError(try reader.run(arch: 3, dataset: "cifar100", seed: nil, schedule: .twoHundred)) { error in
            XCTAssertTrue("\(error)".contains("(any seed)"), "\(error)")
        }
        XCTAssertThrowsError(try reader.stateDict(arch: 3, dataset: "cifar100", seed: 777, schedule: Schedule(epochs: 200))) { error in
            XCTAssertTrue("\(error)".contains("cifar10/777/hp 200"), "\(error)")
        }
        XCTAssertEqual(try ArchiveIntegrity.verify(path: out), [])
    }

    func testIntegrityFindsACorruptedRun() throws {
        let out = ArchiveFixtures.tempDirectory() + "/a.h5"
        _ = try ArchiveFixtures.pack(.directory(ArchiveFixtures.directory), to: out)
        // Overwrite the first 4 KiB of run 2's bytes through HDF5 (the stored checksum stays).
        let run = try ArchiveReader(path: out).runs[2]   // closed again before the write below
        let file = try File.open(out, mode: .readWrite)
        try file.openDataset("blob").write([Int32](repeating: 7, count: 1024), start: [run.byteOffset / 4 + 16], count: [1024])
        file.close()
        let problems = try ArchiveIntegrity.verify(path: out)
        XCTAssertEqual(problems.count, 1)
        XCTAssertEqual(problems.first?.run, run.key)
        XCTAssertTrue(problems.first?.message.contains("SHA-256") ?? false)
    }

    func testTarStreamAndSplitPartsPackTheSameRunsAsTheDirectory() throws {
        let dir = ArchiveFixtures.tempDirectory()
        let expected = try packDirectory(into: dir)
        let tarBytes = ArchiveFixtures.tar(ArchiveFixtures.names.map { ("NAS-BENCH-102-4-v1.0-archive/" + $0, ArchiveFixtures.bytes($0)) })
        ArchiveFixtures.write(tarBytes, to: dir + "/all.tar")
        _ = try ArchiveFixtures.pack(.tar(dir + "/all.tar"), to: dir + "/tar.h5")
        XCTAssertEqual(try ArchiveFixtures.runChecksums(dir + "/tar.h5"), expected)
        XCTAssertEqual(try ArchiveReader(path: dir + "/tar.h5").sources.first?.name, "NAS-BENCH-102-4-v1.0-archive/000003-FULL.pth")

        // Three parts cut at arbitrary bytes, as `split -b` would.
        let cuts = [0, 700_001, 1_300_007, tarBytes.count]
        var parts: [String] = []
        for i in 0..<3 {
            let p = dir + "/all.tara" + String(UnicodeScalar(UInt8(ascii: "a") + UInt8(i)))
            ArchiveFixtures.write(Array(tarBytes[cuts[i]..<cuts[i + 1]]), to: p)
            parts.append(p)
        }
        _ = try ArchiveFixtures.pack(.parts(parts), to: dir + "/parts.h5")
        XCTAssertEqual(try ArchiveFixtures.runChecksums(dir + "/parts.h5"), expected)
    }

    func testShardsArePartitionAndBothMergesReadBack() throws {
        let dir = ArchiveFixtures.tempDirectory()
        let expected = try packDirectory(into: dir)
        var shardPaths: [String] = []
        var union: [String: String] = [:]
        for k in 0..<2 {
            let p = dir + "/shard\(k).h5"
            let report = try ArchiveFixtures.pack(.directory(ArchiveFixtures.directory), to: p) {
                $0.settings.shard = Shard(index: k, count: 2)
            }
            XCTAssertEqual(report.filesPacked + report.skippedOtherShards, 3)
            XCTAssertGreaterThan(report.filesPacked, 0, "fixtures 3, 25 (odd) and 58 (even) fill both shards")
            let sums = try ArchiveFixtures.runChecksums(p)
            XCTAssertTrue(Set(sums.keys).isDisjoint(with: union.keys))
            union.merge(sums) { a, _ in a }
            shardPaths.append(p)
            for s in try ArchiveReader(path: p).sources { XCTAssertEqual(s.archIndex % 2, k) }
        }
        XCTAssertEqual(union, expected)

        _ = try ArchiveMerger.merge(shards: shardPaths, output: dir + "/copy.h5", mode: .copy)
        XCTAssertEqual(try ArchiveFixtures.runChecksums(dir + "/copy.h5"), expected)
        XCTAssertEqual(try ArchiveIntegrity.verify(path: dir + "/copy.h5"), [])

        _ = try ArchiveMerger.merge(shards: shardPaths, output: dir + "/master.h5", mode: .links)
        let master = try ArchiveReader(path: dir + "/master.h5")
        XCTAssertTrue(master.isMaster)
        XCTAssertEqual(try ArchiveFixtures.runChecksums(dir + "/master.h5"), expected)
        let direct = try ArchiveReader(path: dir + "/full.h5")
        XCTAssertEqual(try master.stateDict(arch: 25, dataset: "cifar10", seed: 777, schedule: Schedule(epochs: 200)),
                       try direct.stateDict(arch: 25, dataset: "cifar10", seed: 777, schedule: Schedule(epochs: 200)))

        // A missing shard is refused unless asked for.
        XCTAssertThrowsError(try ArchiveMerger.merge(shards: [shardPaths[0]], output: dir + "/bad.h5", mode: .copy)) {
            XCTAssertTrue("\($0)".contains("shards missing: 1/2"), "\($0)")
        }
    }

    func testResumeAfterStopGivesTheSameArchive() throws {
        let dir = ArchiveFixtures.tempDirectory()
        let expected = try packDirectory(into: dir)
        let out = dir + "/resumed.h5"
        let first = try ArchiveFixtures.pack(.directory(ArchiveFixtures.directory), to: out) {
            $0.batchBytes = 1
            $0.stopAfterCommits = 1
        }
        XCTAssertEqual(first.filesPacked, 1)
        XCTAssertFalse(try ArchiveReader(path: out).isComplete)
        let second = try ArchiveFixtures.pack(.directory(ArchiveFixtures.directory), to: out) { $0.batchBytes = 1 }
        XCTAssertEqual(second.resumedAt, 1)
        XCTAssertEqual(second.filesPacked, 2)
        XCTAssertEqual(try ArchiveFixtures.runChecksums(out), expected)
        XCTAssertEqual(try ArchiveIntegrity.verify(path: out), [])
        let again = try ArchiveFixtures.pack(.directory(ArchiveFixtures.directory), to: out)
        XCTAssertTrue(again.alreadyComplete)

        // Other inputs or another shard cannot resume this file.
        XCTAssertThrowsError(try ArchiveFixtures.pack(.directory(dir), to: out)) {
            XCTAssertTrue("\($0)".contains("cannot resume"), "\($0)")
        }
    }

    /// Packs the fixture directory to `dir/full.h5` and returns its run checksums.
    private func packDirectory(into dir: String) throws -> [String: String] {
        _ = try ArchiveFixtures.pack(.directory(ArchiveFixtures.directory), to: dir + "/full.h5")
        let sums = try ArchiveFixtures.runChecksums(dir + "/full.h5")
        XCTAssertEqual(sums.count, 6)
        return sums
    }
}
