import XCTest
import HDF5
@testable import WeightArchive

/// The whole-archive check streams `/blob` chunk by chunk on worker threads and feeds
/// each run's hash from the chunks it spans; the packs here use 64 KiB chunks, so
/// every run spans several.
final class ArchiveIntegrityTests: XCTestCase {
    private func packed() throws -> (dir: String, path: String) {
        let dir = ArchiveFixtures.tempDirectory()
        _ = try ArchiveFixtures.pack(.directory(ArchiveFixtures.directory), to: dir + "/a.h5")
        return (dir, dir + "/a.h5")
    }

    func testIntactForEveryWorkerCountAndForAMasterOfLinkedShards() throws {
        let (dir, path) = try packed()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runs = try ArchiveReader(path: path).runs
        XCTAssertGreaterThan(runs.map { $0.byteCount / (64 << 10) }.max()!, 2, "runs must span several chunks")
        for workers in [1, 2, 5] {
            var calls = 0
            XCTAssertEqual(try ArchiveIntegrity.verify(path: path, workers: workers) { _, _ in calls += 1 }, [])
            XCTAssertEqual(calls, runs.count, "progress once per run")
        }
        var shards: [String] = []
        for k in 0..<2 {
            let shard = dir + "/s\(k).h5"
            _ = try ArchiveFixtures.pack(.directory(ArchiveFixtures.directory), to: shard) { $0.settings.shard = Shard(index: k, count: 2) }
            shards.append(shard)
        }
        _ = try ArchiveMerger.merge(shards: shards, output: dir + "/master.h5", mode: .links)
        XCTAssertEqual(try ArchiveIntegrity.verify(path: dir + "/master.h5"), [])
    }

    func testDamageAcrossAChunkBoundaryIsPinnedToItsRun() throws {
        let (dir, path) = try packed()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try ArchiveReader(path: path).runs[1]
        let chunkWords = (64 << 10) / 4
        // 8 words straddling the first chunk boundary inside the run.
        let boundary = (run.byteOffset / 4 / chunkWords + 1) * chunkWords
        XCTAssertLessThan(boundary + 4, (run.byteOffset + run.byteCount) / 4)
        let file = try File.open(path, mode: .readWrite)
        try file.openDataset("blob").write([Int32](repeating: -1, count: 8), start: [boundary - 4], count: [8])
        file.close()
        let problems = try ArchiveIntegrity.verify(path: path)
        XCTAssertEqual(problems.map(\.run), [run.key])
        XCTAssertTrue(problems[0].message.contains("SHA-256"), problems[0].message)
    }

    func testAnUndecodableChunkMakesTheRunsItHoldsUnreadable() throws {
        let (dir, path) = try packed()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runs = try ArchiveReader(path: path).runs
        let chunkBytes = 64 << 10
        let victim = runs[2].byteOffset / chunkBytes + 1 // a chunk inside run 2
        let spanned = runs.filter { $0.byteOffset < (victim + 1) * chunkBytes && $0.byteOffset + $0.byteCount > victim * chunkBytes }
        let file = try File.open(path, mode: .readWrite)
        try file.openDataset("blob").writeRawChunk(offset: [victim * chunkBytes / 4], bytes: [UInt8](repeating: 0xAB, count: 100))
        file.close()
        let problems = try ArchiveIntegrity.verify(path: path)
        XCTAssertEqual(problems.map(\.run), spanned.map(\.key))
        XCTAssertTrue(problems.allSatisfy { $0.message.hasPrefix("unreadable:") }, "\(problems)")
    }

    /// A run whose recorded range is misaligned or past the blob's end is refused by the
    /// same check the reader makes before reading it.
    func testABadRunRangeIsTheReadersError() throws {
        let (dir, path) = try packed()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runs = try ArchiveReader(path: path).runs
        let file = try File.open(path, mode: .readWrite)
        let offsets = try file.openDataset("runs/byte_offset")
        try offsets.write([Int64(runs[1].byteOffset + 2)], start: [1], count: [1])
        try offsets.write([Int64(1) << 40], start: [3], count: [1])
        file.close()
        let problems = try ArchiveIntegrity.verify(path: path)
        XCTAssertEqual(problems.map(\.run), [runs[1].key, runs[3].key])
        XCTAssertTrue(problems.allSatisfy { $0.message.hasPrefix("unreadable:") && $0.message.contains("outside the blob") }, "\(problems)")
    }
}
