import XCTest
import HDF5
@testable import WeightArchive

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
            let lanes = try Deflate.compressLanes(b, elementSize: 4, level: 1)
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
