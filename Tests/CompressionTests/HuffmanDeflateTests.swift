import XCTest
import FixtureSupport
import HDF5
@testable import Compression

/// Our literal-only deflate writer must produce streams zlib inflates back exactly,
/// and compress shuffled weights at least as well as zlib's Z_HUFFMAN_ONLY.
final class HuffmanDeflateTests: XCTestCase {
    private func roundTrip(_ bytes: [UInt8], segments: Int = 1, blockBytes: Int = HuffmanDeflate.defaultBlockBytes,
                           file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let packed = bytes.withUnsafeBytes { HuffmanDeflate.compress($0, segments: segments, blockBytes: blockBytes) }
        let back = try packed.withUnsafeBytes { try Deflate.decompress($0, expectedSize: bytes.count) }
        XCTAssertEqual(back, bytes, "round trip of \(bytes.count) bytes, \(segments) segments", file: file, line: line)
        return packed.count
    }

    func testEdgeCasesInflateBack() throws {
        _ = try roundTrip([])
        _ = try roundTrip([7])
        _ = try roundTrip([UInt8](repeating: 0, count: 100_000))
        _ = try roundTrip([UInt8](repeating: 200, count: 3))
        _ = try roundTrip((0..<70_000).map { UInt8(truncatingIfNeeded: $0) }, segments: 4)
        _ = try roundTrip([1, 2, 3, 4, 5], segments: 4)
        _ = try roundTrip([UInt8](repeating: 9, count: 1 << 20), segments: 3, blockBytes: 1 << 20)
    }

    func testRandomDistributionsInflateBack() throws {
        var rng = SplitMix64(state: 201)
        for trial in 0..<40 {
            let n = Int(rng.next() % 60_000)
            // Alphabets from one symbol to all 256, and geometric skews that force the
            // 15-bit length limit (a symbol of frequency 1 among ~10^5).
            let alphabet = 1 + Int(rng.next() % 256)
            let skew = 0.95 * Double(rng.next() % 1000) / 1000.0
            let bytes = (0..<n).map { _ -> UInt8 in
                var s = 0
                while s + 1 < alphabet && Double(rng.next() % 1_000_000) / 1e6 < skew { s += 1 }
                return UInt8(s)
            }
            _ = try roundTrip(bytes, segments: 1 + trial % 5, blockBytes: 1024 << (trial % 7))
        }
    }

    func testLengthLimitHoldsForFibonacciFrequencies() {
        var freq = [UInt32](repeating: 0, count: 257)
        var a: UInt32 = 1, b: UInt32 = 1
        for s in 0..<30 { freq[s] = a; (a, b) = (b, a &+ b) }
        let lengths = HuffmanCode.lengths(freq, limit: 15)
        XCTAssertLessThanOrEqual(lengths.max()!, 15)
        // Kraft equality: the code stays complete.
        let kraft = lengths.filter { $0 > 0 }.reduce(0.0) { $0 + pow(2.0, -Double($1)) }
        XCTAssertEqual(kraft, 1.0, accuracy: 1e-12)
    }

    func testShuffledWeightsCompressAtLeastAsWellAsZlibHuffman() throws {
        var rng = SplitMix64(state: 7)
        // Like trained weights: random sign and mantissa, exponents of values around 0.004-0.5.
        let count = 1 << 18
        var raw = [UInt8](repeating: 0, count: count * 4)
        raw.withUnsafeMutableBytes { p in
            let f = p.bindMemory(to: UInt32.self)
            for i in 0..<count {
                let r = rng.next()
                f[i] = UInt32(truncatingIfNeeded: r) & 0x807F_FFFF | UInt32(118 + (r >> 40) % 7) << 23
            }
        }
        var shuffled = [UInt8](repeating: 0, count: raw.count)
        raw.withUnsafeBytes { s in shuffled.withUnsafeMutableBytes { ChunkEncoder.shuffle(s, elementSize: 4, into: $0) } }
        let ours = try roundTrip(shuffled, segments: 4)
        let zlib = try shuffled.withUnsafeBytes { try Deflate.zlibLanes($0, elementSize: 4, level: 1) }.count
        XCTAssertLessThan(Double(ours), Double(zlib) * 1.005, "ours \(ours) bytes, zlib Huffman-only \(zlib)")
        XCTAssertLessThan(ours, shuffled.count * 9 / 10, "the exponent lane must be entropy-coded")
    }
}
