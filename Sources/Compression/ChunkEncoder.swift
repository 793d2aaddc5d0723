import CZlib

/// Produces chunk bytes exactly as HDF5's shuffle and deflate filters would, so a
/// program can compress chunks on its own threads (libhdf5 runs its filter pipeline
/// under the global lock, one chunk at a time) and hand them to
/// `Dataset.writeRawChunk`. Pure Swift + zlib: safe to call from any thread.
///
/// A chunk is always the full chunk shape, also at the dataset's edges (HDF5 pads
/// edge chunks; what lies outside the extent is never read).
public enum ChunkEncoder {
    /// HDF5's shuffle filter: byte `j` of element `i` goes to `j * count + i`
    /// (bytes beyond a whole number of elements stay in place at the end).
    public static func shuffle(_ bytes: [UInt8], elementSize: Int) -> [UInt8] {
        var out = bytes
        bytes.withUnsafeBytes { src in out.withUnsafeMutableBytes { shuffle(src, elementSize: elementSize, into: $0) } }
        return out
    }

    /// The inverse of `shuffle`.
    public static func unshuffle(_ bytes: [UInt8], elementSize: Int) -> [UInt8] {
        var out = bytes
        bytes.withUnsafeBytes { src in out.withUnsafeMutableBytes { unshuffle(src, elementSize: elementSize, into: $0) } }
        return out
    }

    /// `shuffle` into a caller's buffer (at least `input.count` bytes), allocating
    /// nothing: for compression workers that reuse their buffers chunk after chunk.
    public static func shuffle(_ input: UnsafeRawBufferPointer, elementSize: Int,
                               into output: UnsafeMutableRawBufferPointer) {
        permute(input, elementSize: elementSize, into: output, inverse: false)
    }

    /// `unshuffle` into a caller's buffer (at least `input.count` bytes).
    public static func unshuffle(_ input: UnsafeRawBufferPointer, elementSize: Int,
                                 into output: UnsafeMutableRawBufferPointer) {
        permute(input, elementSize: elementSize, into: output, inverse: true)
    }

    private static func permute(_ input: UnsafeRawBufferPointer, elementSize s: Int,
                                into output: UnsafeMutableRawBufferPointer, inverse: Bool) {
        precondition(output.count >= input.count, "shuffle output buffer too small")
        let n = input.count / s
        guard s > 1, n > 1 else {
            output.copyMemory(from: input)
            return
        }
        if s == 4 {
            permute4(input, into: output, elements: n, inverse: inverse)
            return
        }
        let src = input.bindMemory(to: UInt8.self)
        let dst = output.bindMemory(to: UInt8.self)
        for j in 0..<s {
            let base = j * n
            var k = j
            if inverse {
                for i in 0..<n { dst[k] = src[base + i]; k += s }
            } else {
                for i in 0..<n { dst[base + i] = src[k]; k += s }
            }
        }
        for t in (n * s)..<input.count { dst[t] = src[t] }
    }

    /// The 4-byte case (float32/int32: every weight archive chunk) four elements at a
    /// time with word loads and stores: several times faster than the byte loop.
    private static func permute4(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                                 elements n: Int, inverse: Bool) {
        let src = input.baseAddress!, dst = output.baseAddress!
        var i = 0
        while i + 4 <= n {
            if inverse {
                let l0 = src.loadUnaligned(fromByteOffset: i, as: UInt32.self)
                let l1 = src.loadUnaligned(fromByteOffset: n + i, as: UInt32.self)
                let l2 = src.loadUnaligned(fromByteOffset: 2 * n + i, as: UInt32.self)
                let l3 = src.loadUnaligned(fromByteOffset: 3 * n + i, as: UInt32.self)
                for k in 0..<4 {
                    let shift = UInt32(8 * k)
                    let word = (l0 >> shift & 0xFF) | (l1 >> shift & 0xFF) << 8 | (l2 >> shift & 0xFF) << 16 | (l3 >> shift & 0xFF) << 24
                    dst.storeBytes(of: word, toByteOffset: 4 * (i + k), as: UInt32.self)
                }
            } else {
                let w0 = src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
                let w1 = src.loadUnaligned(fromByteOffset: 4 * i + 4, as: UInt32.self)
                let w2 = src.loadUnaligned(fromByteOffset: 4 * i + 8, as: UInt32.self)
                let w3 = src.loadUnaligned(fromByteOffset: 4 * i + 12, as: UInt32.self)
                for lane in 0..<4 {
                    let shift = UInt32(8 * lane)
                    let word = (w0 >> shift & 0xFF) | (w1 >> shift & 0xFF) << 8 | (w2 >> shift & 0xFF) << 16 | (w3 >> shift & 0xFF) << 24
                    dst.storeBytes(of: word, toByteOffset: lane * n + i, as: UInt32.self)
                }
            }
            i += 4
        }
        let s = input.bindMemory(to: UInt8.self), d = output.bindMemory(to: UInt8.self)
        while i < n {
            for lane in 0..<4 {
                if inverse { d[4 * i + lane] = s[lane * n + i] } else { d[lane * n + i] = s[4 * i + lane] }
            }
            i += 1
        }
        for t in (n * 4)..<input.count { d[t] = s[t] }
    }

    /// HDF5's deflate filter: a zlib stream (`compress2`) at `level` 0-9.
    public static func deflate(_ bytes: [UInt8], level: Int) throws -> [UInt8] {
        var size = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let status = out.withUnsafeMutableBufferPointer { dst in
            bytes.withUnsafeBufferPointer { src in
                compress2(dst.baseAddress, &size, src.baseAddress, uLong(bytes.count), Int32(level))
            }
        }
        guard status == Z_OK else { throw ChunkEncoderError.zlib(status) }
        out.removeLast(out.count - Int(size))
        return out
    }

    /// What the declared filters make of one chunk: shuffle (if on) then deflate
    /// (if a level is given), in HDF5's order.
    public static func encode(_ bytes: [UInt8], elementSize: Int, shuffle doShuffle: Bool, deflate level: Int?) throws -> [UInt8] {
        var data = doShuffle ? shuffle(bytes, elementSize: elementSize) : bytes
        if let level { data = try deflate(data, level: level) }
        return data
    }
}

public enum ChunkEncoderError: Error, CustomStringConvertible, Sendable {
    case zlib(Int32)
    public var description: String { "zlib compress2 failed with status \(self)" }
}
