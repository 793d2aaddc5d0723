import XCTest
import HDF5
import Tensors
@testable import WeightArchive
@testable import Compression

final class ChunkCodecTests: XCTestCase {
    func testShuffleMatchesHDF5LayoutAndRoundTrips() {
        // 3 float32-sized elements + 2 trailing bytes.
        let input: [UInt8] = [1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24, 99, 98]
        var shuffled = [UInt8](repeating: 0, count: input.count)
        input.withUnsafeBytes { src in shuffled.withUnsafeMutableBytes { ChunkEncoder.shuffle(src, elementSize: 4, into: $0) } }
        XCTAssertEqual(shuffled, [1, 11, 21, 2, 12, 22, 3, 13, 23, 4, 14, 24, 99, 98])
        var back = [UInt8](repeating: 0, count: input.count)
        shuffled.withUnsafeBytes { src in back.withUnsafeMutableBytes { ChunkEncoder.unshuffle(src, elementSize: 4, into: $0) } }
        XCTAssertEqual(back, input)
    }

    func testEveryStrategyInflatesBack() throws {
        var rng = SystemRandomNumberGenerator()
        let floats = (0..<50_000).map { _ in Float.random(in: -0.3...0.3, using: &rng) }
        let bytes = floats.withUnsafeBytes { Array($0) }
        for strategy in Deflate.Strategy.allCases {
            let packed = try bytes.withUnsafeBytes { try Deflate.compress($0, level: 1, strategy: strategy) }
            XCTAssertLessThan(packed.count, bytes.count, "\(strategy) should shrink float32 noise a little")
            let unpacked = try packed.withUnsafeBytes { try Deflate.decompress($0, expectedSize: bytes.count) }
            XCTAssertEqual(unpacked, bytes)
        }
    }

    func testLaneDeflateStoresNoiseLanesAndInflatesBack() throws {
        var rng = SystemRandomNumberGenerator()
        // Like trained weights: random sign and mantissa, exponents of values around 0.01-0.3.
        let floats = (0..<65536).map { _ -> Float in
            let bits = UInt32.random(in: 0..<(1 << 23), using: &rng) | UInt32.random(in: 120...124, using: &rng) << 23
                | (Bool.random(using: &rng) ? 1 << 31 : 0)
            return Float(bitPattern: bits)
        }
        let raw = floats.withUnsafeBytes { Array($0) }
        var shuffled = [UInt8](repeating: 0, count: raw.count)
        raw.withUnsafeBytes { s in shuffled.withUnsafeMutableBytes { ChunkEncoder.shuffle(s, elementSize: 4, into: $0) } }
        try shuffled.withUnsafeBytes { b in
            XCTAssertGreaterThan(Deflate.entropy(b, 0..<65536), 7.9, "low mantissa bytes are noise")
            XCTAssertLessThan(Deflate.entropy(b, (3 * 65536)..<(4 * 65536)), 6, "sign/exponent bytes are not")
            let lanes = try Deflate.zlibLanes(b, elementSize: 4, level: 1)
            let whole = try Deflate.compress(b, level: 1)
            XCTAssertLessThan(Double(lanes.count), Double(whole.count) * 1.02)
            XCTAssertEqual(try lanes.withUnsafeBytes { try Deflate.decompress($0, expectedSize: b.count) }, shuffled)
        }
    }

    func testCompressorKeepsOrderAcrossWorkers() throws {
        let compressor = ChunkCompressor(workers: 3, elementSize: 4, level: 1, maxInFlight: 4)
        defer { compressor.shutdown() }
        let chunkBytes = 4096
        var chunks: [[UInt8]] = []
        var got: [ChunkCompressor.Compressed] = []
        for i in 0..<40 {
            let chunk = (0..<chunkBytes).map { UInt8(truncatingIfNeeded: $0 &* (i + 1) &+ i) }
            chunks.append(chunk)
            got += try compressor.submit(chunk)
            got += try compressor.takeReady()
        }
        got += try compressor.drain()
        XCTAssertEqual(got.map(\.sequence), Array(0..<40))
        for (c, original) in zip(got, chunks) {
            let shuffled = try c.bytes.withUnsafeBytes { try Deflate.decompress($0, expectedSize: chunkBytes) }
            var plain = [UInt8](repeating: 0, count: chunkBytes)
            shuffled.withUnsafeBytes { src in plain.withUnsafeMutableBytes { ChunkEncoder.unshuffle(src, elementSize: 4, into: $0) } }
            XCTAssertEqual(plain, original)
        }
    }
}

/// A run's SHA-256 computed ahead on a decoding thread must equal the hash of its
/// byte range in /blob, padding included (tensors of odd byte counts).
final class StoredDigestTests: XCTestCase {
    func testPrecomputedDigestEqualsTheBlobRange() throws {
        let dir = ArchiveFixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var sd = StateDict()
        sd["a"] = Tensor(dtype: .uint8, shape: [3], bytes: [1, 2, 3])
        sd["b"] = Tensor(dtype: .float32, shape: [2], bytes: [UInt8](repeating: 7, count: 8))
        sd["c"] = Tensor(dtype: .int16, shape: [1], bytes: [9, 9])
        let plain = RunRecord(hp: 200, dataset: "cifar10", seed: 777, stateDict: sd, resultsJSON: Array("{}".utf8))
        var ahead = plain
        ahead.seed = 888
        ahead.sha256 = ahead.storedDigest()
        let path = dir + "/a.h5"
        let writer = try ArchiveWriter.openOrCreate(path, settings: PackSettings())
        try writer.add(SourceRecord(name: "000001-FULL.pth", size: 1, md5: [UInt8](repeating: 0, count: 16),
                                    archIndex: 1, archStr: "x", runs: [plain, ahead]))
        try writer.finish(inputsDone: 1)
        XCTAssertEqual(try ArchiveIntegrity.verify(path: path), [])
        let rows = try File.open(path).openDataset(ArchiveLayout.runSHA256).read(as: UInt8.self)
        XCTAssertEqual(Array(rows[0..<32]), Array(rows[32..<64]), "same tensors, same digest either way")
        XCTAssertEqual(Array(rows[32..<64]), ahead.sha256)
    }
}
