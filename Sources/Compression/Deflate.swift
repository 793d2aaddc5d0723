import CZlib
import Foundation

/// zlib-format deflate streams for HDF5's deflate filter (H5Z_FILTER_DEFLATE).
///
/// HDF5 inflates any valid zlib stream, so we may choose how to deflate. Measured on
/// shuffled float32 TinyNetwork weights (1 MiB chunks): default strategy level 1
/// ratio 0.861 at 33 MB/s a core, level 6 0.852 at 11 MB/s; Huffman-only 0.835 at
/// 72-94 MB/s. The mantissa bytes are noise, so LZ77 matching only burns time;
/// entropy-coding the exponent bytes is where the gain is. The default strategy,
/// `.huffmanOnly`, is written by our own literal-only encoder (`HuffmanDeflate`: lane by
/// lane, noise stored, the rest Huffman-coded; ~4x less CPU than zlib's Z_HUFFMAN_ONLY for
/// the same size); zlib (here) serves `.standard`, `.rle` and level 0.
public enum Deflate {
    public enum Strategy: String, Sendable, CaseIterable {
        case huffmanOnly = "huffman", standard = "default", rle
        var zlibValue: Int32 {
            switch self {
            case .huffmanOnly: return Z_HUFFMAN_ONLY
            case .standard: return Z_DEFAULT_STRATEGY
            case .rle: return Z_RLE
            }
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let code: Int32
        public let operation: String
        public var description: String { "zlib \(operation) failed with code \(code)" }
    }

    public static func compress(_ input: UnsafeRawBufferPointer, level: Int,
                                strategy: Strategy = .huffmanOnly) throws -> [UInt8] {
        var stream = z_stream()
        var rc = deflateInit2_(&stream, Int32(level), Z_DEFLATED, 15, 8, strategy.zlibValue,
                               ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw Failure(code: rc, operation: "deflateInit2") }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var out = [UInt8](repeating: 0, count: bound)
        let produced: Int = out.withUnsafeMutableBytes { dst in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count)
            stream.next_out = dst.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(bound)
            rc = deflate(&stream, Z_FINISH)
            return bound - Int(stream.avail_out)
        }
        guard rc == Z_STREAM_END else { throw Failure(code: rc, operation: "deflate") }
        out.removeSubrange(produced...)
        return out
    }

    /// Deflates a shuffled chunk (one lane = byte j of every element) with `level` and
    /// `strategy`: Huffman-only by `HuffmanDeflate` (lane by lane), the others by zlib
    /// (`zlibLanes`). Either way one zlib stream that HDF5's deflate filter inflates.
    public static func compressLanes(_ input: UnsafeRawBufferPointer, elementSize: Int, level: Int,
                                     strategy: Strategy = .huffmanOnly) throws -> [UInt8] {
        if strategy == .huffmanOnly && level > 0 {
            return HuffmanDeflate.compress(input, segments: max(elementSize, 1))
        }
        return try zlibLanes(input, elementSize: elementSize, level: level, strategy: strategy)
    }

    /// zlib, lane by lane: lanes that look like noise (sampled byte entropy above
    /// `storeAbove` bits) go into stored blocks, the others are entropy-coded with
    /// `level`/`strategy`. One zlib stream (block types may change between lanes, via
    /// `deflateParams`). For float32 weights the two low mantissa lanes are noise:
    /// storing them halves the coding work and loses ~1% of the ratio.
    static func zlibLanes(_ input: UnsafeRawBufferPointer, elementSize: Int, level: Int,
                          strategy: Strategy = .huffmanOnly, storeAbove: Double = 7.9) throws -> [UInt8] {
        let laneBytes = input.count / max(elementSize, 1)
        guard elementSize > 1, laneBytes >= 4096, level > 0 else {
            return try compress(input, level: level, strategy: strategy)
        }
        var lanes: [(range: Range<Int>, store: Bool)] = []
        for j in 0..<elementSize {
            let end = j == elementSize - 1 ? input.count : (j + 1) * laneBytes
            let range = (j * laneBytes)..<end
            lanes.append((range, entropy(input, range) > storeAbove))
        }
        var stream = z_stream()
        var current = lanes[0].store ? (0, Strategy.standard) : (level, strategy)
        var rc = deflateInit2_(&stream, Int32(current.0), Z_DEFLATED, 15, 8, current.1.zlibValue,
                               ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw Failure(code: rc, operation: "deflateInit2") }
        defer { deflateEnd(&stream) }
        let capacity = Int(deflateBound(&stream, uLong(input.count))) + input.count / 128 + 4096
        var out = [UInt8](repeating: 0, count: capacity)
        let produced: Int = try out.withUnsafeMutableBytes { dst in
            stream.next_out = dst.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(capacity)
            for (i, lane) in lanes.enumerated() {
                let wanted = lane.store ? (0, Strategy.standard) : (level, strategy)
                if wanted != current {
                    rc = deflateParams(&stream, Int32(wanted.0), wanted.1.zlibValue)
                    guard rc == Z_OK else { throw Failure(code: rc, operation: "deflateParams") }
                    current = wanted
                }
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self) + lane.range.lowerBound)
                stream.avail_in = uInt(lane.range.count)
                let last = i == lanes.count - 1
                rc = deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH)
                guard rc == (last ? Z_STREAM_END : Z_OK), stream.avail_in == 0 else {
                    throw Failure(code: rc, operation: "deflate (lane \(i))")
                }
            }
            return capacity - Int(stream.avail_out)
        }
        out.removeSubrange(produced...)
        return out
    }

    /// Shannon entropy (bits per byte) of a sample of `range` (every `step`-th byte).
    static func entropy(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, step: Int = 4) -> Double {
        var counts = [Int](repeating: 0, count: 256)
        var n = 0
        var i = range.lowerBound
        while i < range.upperBound {
            counts[Int(bytes[i])] += 1
            n += 1
            i += step
        }
        guard n > 0 else { return 0 }
        var h = 0.0
        let total = Double(n)
        for c in counts where c > 0 {
            let p = Double(c) / total
            h -= p * log2(p)
        }
        return h
    }

    /// Inflates into exactly `expectedSize` bytes (a chunk's size is known from the layout).
    public static func decompress(_ input: UnsafeRawBufferPointer, expectedSize: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: expectedSize)
        var size = uLongf(expectedSize)
        let rc = out.withUnsafeMutableBytes { dst in
            uncompress(dst.baseAddress!.assumingMemoryBound(to: Bytef.self), &size,
                       input.baseAddress!.assumingMemoryBound(to: Bytef.self), uLong(input.count))
        }
        guard rc == Z_OK, Int(size) == expectedSize else { throw Failure(code: rc, operation: "uncompress") }
        return out
    }
}
