import CZlib

/// A deflate (RFC 1951) encoder in a zlib (RFC 1950) wrapper that only entropy-codes
/// bytes: every block is either stored or a dynamic-Huffman block of literals.
///
/// Why not zlib's own `Z_HUFFMAN_ONLY`: on shuffled float32 weights the only
/// redundancy is the skew of the sign/exponent byte lanes, and zlib spends most of
/// its time on per-symbol bookkeeping built for LZ77 (tallying, then a second pass
/// over the symbol buffer). This writes the same kind of stream (HDF5's deflate filter
/// and any inflater read it) from a byte histogram and a 64-bit bit buffer. Each block
/// is coded or stored, whichever is smaller, so noise lanes cost a copy.
public enum HuffmanDeflate {
    /// Bytes per block: small enough that the code adapts to the tensors a block
    /// covers, large enough that the ~50-byte table header does not matter.
    public static let defaultBlockBytes = 32 << 10

    /// Compresses `input` as `segments` consecutive equal parts (the last takes the
    /// remainder; a block never spans two segments: for a shuffled chunk, one segment
    /// per byte lane, whose statistics differ).
    public static func compress(_ input: UnsafeRawBufferPointer, segments: Int = 1,
                                blockBytes: Int = defaultBlockBytes) -> [UInt8] {
        let n = input.count
        let blockBytes = min(max(blockBytes, 1024), 65535)
        // Worst case: every block stored (5 header bytes + 1 alignment) plus the 8 bytes the
        // bit writer may store past its end, zlib header and Adler-32.
        let capacity = n + (n / blockBytes + segments + 2) * 6 + 32
        // Not zero-filled: the writer stores every byte it reports (and the 8-byte
        // flush stores past `position` land in capacity that is never reported).
        return [UInt8](unsafeUninitializedCapacity: capacity) { dst, initialized in
            var w = BitWriter(dst.baseAddress!)
            w.putByte(0x78) // CM 8 (deflate), 32 KiB window
            w.putByte(0x01) // no dictionary, FLEVEL 0; (0x78 << 8 | 0x01) % 31 == 0
            let parts = max(1, min(segments, max(n, 1)))
            let segmentBytes = n / parts
            var blocks: [Range<Int>] = []
            for s in 0..<parts {
                let start = s * segmentBytes
                let end = s == parts - 1 ? n : start + segmentBytes
                var b = start
                while b < end {
                    blocks.append(b..<min(b + blockBytes, end))
                    b += blockBytes
                }
            }
            if blocks.isEmpty { blocks = [0..<0] }
            let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
            var encoder = BlockEncoder()
            for (i, range) in blocks.enumerated() {
                let block = UnsafeBufferPointer(start: base.map { $0 + range.lowerBound }, count: range.count)
                encoder.write(block, final: i == blocks.count - 1, to: &w)
            }
            w.alignToByte()
            let adler = UInt32(truncatingIfNeeded: adler32(1, base, uInt(n)))
            for shift in stride(from: 24, through: 0, by: -8) { w.putByte(UInt8(truncatingIfNeeded: adler >> UInt32(shift))) }
            initialized = w.position
        }
    }
}

/// Little-endian bit packing as deflate wants it: 64-bit accumulator, flushed by
/// whole bytes with one (possibly unaligned) 8-byte store.
struct BitWriter {
    let out: UnsafeMutablePointer<UInt8>
    var position = 0
    var bits: UInt64 = 0
    var count = 0

    init(_ out: UnsafeMutablePointer<UInt8>) { self.out = out }

    /// Adds `n` (<= 32) bits; the accumulator holds fewer than 8 bits between calls.
    @inline(__always)
    mutating func put(_ value: UInt32, _ n: Int) {
        bits |= UInt64(value) << UInt64(count)
        count += n
        flush()
    }

    @inline(__always)
    mutating func flush() {
        UnsafeMutableRawPointer(out + position).storeBytes(of: bits.littleEndian, as: UInt64.self)
        let whole = count >> 3
        position += whole
        bits >>= UInt64(whole << 3) // whole <= 7: count never reaches 64
        count &= 7
    }

    mutating func alignToByte() {
        if count > 0 {
            out[position] = UInt8(truncatingIfNeeded: bits)
            position += 1
        }
        bits = 0
        count = 0
    }

    mutating func putByte(_ byte: UInt8) {
        precondition(count == 0)
        out[position] = byte
        position += 1
    }
}

/// Writes one block of literals: dynamic Huffman or stored, whichever is smaller.
struct BlockEncoder {
    private var literalFrequencies = [UInt32](repeating: 0, count: 257)
    /// Per literal: the bit-reversed canonical code in the low 16 bits, its length above.
    private var table = [UInt32](repeating: 0, count: 257)

    /// Code-length alphabet order of the block header (RFC 1951 3.2.7).
    static let lengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    mutating func write(_ block: UnsafeBufferPointer<UInt8>, final: Bool, to w: inout BitWriter) {
        // Noise (the low mantissa bytes of float weights) is recognised from every
        // 8th byte and stored without a full histogram: a Huffman code could save < 1%.
        if block.count >= 8192 && Deflate.entropy(UnsafeRawBufferPointer(block), 0..<block.count, step: 8) > 7.92 {
            writeStored(block, final: final, to: &w)
            return
        }
        histogram(block)
        literalFrequencies[256] = 1 // end of block
        let litLengths = HuffmanCode.lengths(literalFrequencies, limit: 15)
        // Two distance codes of one bit each: a complete code, as zlib writes for
        // literal-only blocks (some inflaters reject an empty distance code).
        let allLengths = litLengths + [1, 1]
        let (symbols, extras) = Self.runLengthEncode(allLengths)
        var clFrequencies = [UInt32](repeating: 0, count: 19)
        for s in symbols { clFrequencies[Int(s)] += 1 }
        if clFrequencies.filter({ $0 > 0 }).count < 2 { clFrequencies[clFrequencies[0] > 0 ? 1 : 0] += 1 }
        let clLengths = HuffmanCode.lengths(clFrequencies, limit: 7)
        var hclen = 19
        while hclen > 4 && clLengths[Self.lengthOrder[hclen - 1]] == 0 { hclen -= 1 }

        var headerBits = 3 + 5 + 5 + 4 + 3 * hclen
        for s in symbols {
            headerBits += Int(clLengths[Int(s)]) + (s == 16 ? 2 : s == 17 ? 3 : s == 18 ? 7 : 0)
        }
        var dataBits = Int(litLengths[256])
        for s in 0..<256 { dataBits += Int(literalFrequencies[s]) * Int(litLengths[s]) }
        let storedBits = 3 + 7 + 32 + 8 * block.count // worst-case alignment padding
        if headerBits + dataBits >= storedBits {
            writeStored(block, final: final, to: &w)
            return
        }

        // Header.
        w.put(final ? 1 : 0, 1)
        w.put(2, 2) // dynamic Huffman
        w.put(UInt32(257 - 257), 5) // HLIT: 257 literal/length codes
        w.put(UInt32(2 - 1), 5) // HDIST: 2 distance codes
        w.put(UInt32(hclen - 4), 4)
        for i in 0..<hclen { w.put(UInt32(clLengths[Self.lengthOrder[i]]), 3) }
        let clCodes = HuffmanCode.reversedCodes(clLengths)
        for (s, e) in zip(symbols, extras) {
            w.put(UInt32(clCodes[Int(s)]), Int(clLengths[Int(s)]))
            switch s {
            case 16: w.put(UInt32(e), 2)
            case 17: w.put(UInt32(e), 3)
            case 18: w.put(UInt32(e), 7)
            default: break
            }
        }

        // Data: three codes of at most 15 bits fit between flushes (7 + 45 < 64).
        let codes = HuffmanCode.reversedCodes(litLengths)
        for s in 0..<257 { table[s] = UInt32(codes[s]) | UInt32(litLengths[s]) << 16 }
        table.withUnsafeBufferPointer { t in
            // The bit buffer lives in locals here (not in `w`) so it stays in registers.
            let table = t.baseAddress!, src = block.baseAddress!, out = w.out
            let n = block.count
            var bits = w.bits, count = UInt64(w.count), position = w.position
            var i = 0
            while i + 3 <= n {
                let a = table[Int(src[i])], b = table[Int(src[i + 1])], c = table[Int(src[i + 2])]
                bits |= UInt64(a & 0xFFFF) << count
                count &+= UInt64(a >> 16)
                bits |= UInt64(b & 0xFFFF) << count
                count &+= UInt64(b >> 16)
                bits |= UInt64(c & 0xFFFF) << count
                count &+= UInt64(c >> 16)
                // count <= 7 + 3 * 15 < 64: store 8 bytes, keep the partial byte.
                UnsafeMutableRawPointer(out + position).storeBytes(of: bits.littleEndian, as: UInt64.self)
                let whole = count >> 3
                position &+= Int(whole)
                bits >>= whole << 3
                count &= 7
                i += 3
            }
            w.bits = bits
            w.count = Int(count)
            w.position = position
            while i < n {
                let a = t[Int(src[i])]
                w.put(a & 0xFFFF, Int(a >> 16))
                i += 1
            }
            let eob = t[256]
            w.put(eob & 0xFFFF, Int(eob >> 16))
        }
    }

    private func writeStored(_ block: UnsafeBufferPointer<UInt8>, final: Bool, to w: inout BitWriter) {
        w.put(final ? 1 : 0, 1)
        w.put(0, 2)
        w.alignToByte()
        let n = UInt16(block.count)
        w.putByte(UInt8(truncatingIfNeeded: n)); w.putByte(UInt8(n >> 8))
        w.putByte(UInt8(truncatingIfNeeded: ~n)); w.putByte(UInt8(~n >> 8))
        if let base = block.baseAddress, block.count > 0 {
            (w.out + w.position).update(from: base, count: block.count)
            w.position += block.count
        }
    }

    /// Byte histogram with four interleaved tables (breaks the store-to-load
    /// dependency when neighbouring bytes are equal).
    private mutating func histogram(_ block: UnsafeBufferPointer<UInt8>) {
        var counts = [UInt32](repeating: 0, count: 1024)
        counts.withUnsafeMutableBufferPointer { c in
            let src = block.baseAddress
            let n = block.count
            var i = 0
            while i + 4 <= n {
                c[Int(src![i])] &+= 1
                c[256 + Int(src![i + 1])] &+= 1
                c[512 + Int(src![i + 2])] &+= 1
                c[768 + Int(src![i + 3])] &+= 1
                i += 4
            }
            while i < n { c[Int(src![i])] &+= 1; i += 1 }
        }
        for s in 0..<256 { literalFrequencies[s] = counts[s] &+ counts[256 + s] &+ counts[512 + s] &+ counts[768 + s] }
    }

    /// The code-length sequence in the header's run-length alphabet: 0-15 literal,
    /// 16 = repeat the previous length 3-6 times, 17 = 3-10 zeros, 18 = 11-138 zeros.
    static func runLengthEncode(_ lengths: [UInt8]) -> (symbols: [UInt8], extras: [UInt8]) {
        var symbols: [UInt8] = [], extras: [UInt8] = []
        var i = 0
        while i < lengths.count {
            let v = lengths[i]
            var run = 1
            while i + run < lengths.count && lengths[i + run] == v { run += 1 }
            i += run
            if v == 0 {
                while run >= 11 { let r = min(run, 138); symbols.append(18); extras.append(UInt8(r - 11)); run -= r }
                if run >= 3 { symbols.append(17); extras.append(UInt8(run - 3)); run = 0 }
                while run > 0 { symbols.append(0); extras.append(0); run -= 1 }
            } else {
                symbols.append(v); extras.append(0); run -= 1
                while run >= 3 { let r = min(run, 6); symbols.append(16); extras.append(UInt8(r - 3)); run -= r }
                while run > 0 { symbols.append(v); extras.append(0); run -= 1 }
            }
        }
        return (symbols, extras)
    }
}

/// Length-limited canonical Huffman codes.
enum HuffmanCode {
    /// Optimal code lengths for `frequencies` (0 = unused symbol), at most `limit` bits.
    /// With fewer than two used symbols a used symbol gets length 1. Over the limit,
    /// frequencies are halved (keeping every used symbol) and the code rebuilt: rare,
    /// and at worst a fraction of a percent longer than optimal.
    static func lengths(_ frequencies: [UInt32], limit: Int) -> [UInt8] {
        var freq = frequencies
        while true {
            let result = unlimitedLengths(freq)
            if (result.max() ?? 0) <= limit { return result }
            freq = freq.map { $0 == 0 ? 0 : max(1, $0 / 2) }
        }
    }

    private static func unlimitedLengths(_ freq: [UInt32]) -> [UInt8] {
        var lengths = [UInt8](repeating: 0, count: freq.count)
        // Ascending (frequency, symbol): one integer sort of packed keys.
        var keys: [UInt64] = []
        keys.reserveCapacity(freq.count)
        for (s, f) in freq.enumerated() where f > 0 { keys.append(UInt64(f) << 16 | UInt64(s)) }
        keys.sort()
        let used = keys.map { Int($0 & 0xFFFF) }
        if used.count < 2 {
            for s in used { lengths[s] = 1 }
            return lengths
        }
        // Two-queue construction: leaves in ascending weight, internal nodes are created
        // in ascending weight too, so the two lightest nodes are always at a queue front.
        let leaves = used.count
        var weight = used.map { UInt64(freq[$0]) } + [UInt64](repeating: 0, count: leaves - 1)
        var parent = [Int](repeating: -1, count: 2 * leaves - 1)
        var leafNext = 0, nodeNext = leaves, nodeEnd = leaves
        func takeLightest() -> Int {
            if leafNext < leaves && (nodeNext >= nodeEnd || weight[leafNext] <= weight[nodeNext]) {
                leafNext += 1
                return leafNext - 1
            }
            nodeNext += 1
            return nodeNext - 1
        }
        while nodeEnd < 2 * leaves - 1 {
            let a = takeLightest(), b = takeLightest()
            weight[nodeEnd] = weight[a] + weight[b]
            parent[a] = nodeEnd
            parent[b] = nodeEnd
            nodeEnd += 1
        }
        var depth = [Int](repeating: 0, count: 2 * leaves - 1)
        for node in stride(from: 2 * leaves - 3, through: 0, by: -1) { depth[node] = depth[parent[node]] + 1 }
        for (k, s) in used.enumerated() { lengths[s] = UInt8(min(depth[k], 255)) }
        return lengths
    }

    /// Canonical codes (RFC 1951 3.2.2), bit-reversed because deflate sends
    /// Huffman codes most significant bit first into a least-significant-first stream.
    static func reversedCodes(_ lengths: [UInt8]) -> [UInt16] {
        var count = [Int](repeating: 0, count: 16)
        for l in lengths where l > 0 { count[Int(l)] += 1 }
        var next = [Int](repeating: 0, count: 16)
        var code = 0
        for bits in 1..<16 {
            code = (code + count[bits - 1]) << 1
            next[bits] = code
        }
        var codes = [UInt16](repeating: 0, count: lengths.count)
        for (s, l) in lengths.enumerated() where l > 0 {
            var c = next[Int(l)]
            next[Int(l)] += 1
            var r = 0
            for _ in 0..<Int(l) { r = (r << 1) | (c & 1); c >>= 1 }
            codes[s] = UInt16(r)
        }
        return codes
    }
}
