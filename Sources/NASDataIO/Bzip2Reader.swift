import CBZ2

/// Decompresses a bzip2 file (NATS-Bench's `.pickle.pbz2`) as it is read, through
/// libbz2, in bounded memory: a 256 KiB input buffer and libbz2's own state (~3.6 MB
/// for a 900k block), whatever the file's size.
///
/// Concatenated streams (what `cat a.bz2 b.bz2`, pbzip2 or lbzip2 produce) are read as
/// one. Everything else is a one-line error naming the file: not a bz2 file, corrupt
/// data (libbz2 checks every block's CRC and the stream's combined CRC), a file that
/// ends before its stream does, bytes after the last stream that start no new stream,
/// or output beyond `maxBytes` (the bomb guard).
///
///     let bz = try Bzip2Reader(path: "NATS-tss-v1_0-3ffb9.pickle.pbz2")
///     let n = try bz.read(into: buffer)
public final class Bzip2Reader: ByteStream {
    public var path: String { source.path }
    /// Decompressed bytes delivered so far.
    public private(set) var offset: Int64 = 0
    /// Compressed bytes consumed by the decompressor so far.
    public var compressedOffset: Int64 { source.offset - Int64(bz.pointee.avail_in) }
    /// The most bytes this reader will deliver; reading past it throws.
    public let maxBytes: Int64

    /// Default cap on the decompressed size: 1,000 times the compressed size, plus 64 MiB.
    /// Real pickles compress 2-40x (NATS-Bench's files: 2x with weights, up to 39x for
    /// the architecture list); a bz2 bomb reaches ~10^6x.
    public static func defaultCap(compressedSize: Int64) -> Int64 {
        let (scaled, overflow) = max(compressedSize, 0).multipliedReportingOverflow(by: 1000)
        return overflow ? Int64.max : min(Int64.max - (64 << 20), scaled) + (64 << 20)
    }

    private let source: ByteStream
    // libbz2 keeps a pointer back to its bz_stream: the struct must never move.
    private let bz: UnsafeMutablePointer<bz_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var initialized = false
    private var atStreamBoundary = false
    private var finished = false
    private var streams = 0

    /// Opens `path`; `maxBytes` nil = `defaultCap` of the file's size.
    public convenience init(path: String, maxBytes: Int64? = nil) throws {
        let file = try FileByteStream(path: path)
        try self.init(file, maxBytes: maxBytes ?? Bzip2Reader.defaultCap(compressedSize: file.size))
    }

    public init(_ source: ByteStream, maxBytes: Int64, inputBufferSize: Int = 1 << 18) throws {
        self.source = source
        self.maxBytes = maxBytes
        // At least a stream's 3-byte magic must fit.
        self.input = .allocate(byteCount: max(inputBufferSize, 4), alignment: 16)
        self.bz = .allocate(capacity: 1)
        bz.initialize(to: bz_stream())
        guard try refill(), try fillMagic() else {
            throw IOError.truncated(path: source.path, offset: source.offset, reason: "too short to be a bz2 file")
        }
        try checkMagic()
        try startStream()
    }

    deinit {
        if initialized { BZ2_bzDecompressEnd(bz) }
        bz.deallocate()
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, buffer.count > 0, let base = buffer.baseAddress else { return 0 }
        // One byte beyond the cap is requested so that reaching it exactly is not an error.
        let room = maxBytes - offset + 1
        let want = Int(min(Int64(min(buffer.count, Int(UInt32.max))), room))
        bz.pointee.next_out = base.assumingMemoryBound(to: CChar.self)
        bz.pointee.avail_out = UInt32(want)
        while bz.pointee.avail_out == UInt32(want) {
            if atStreamBoundary {
                guard try startNextStream() else { finished = true; break }
            }
            if bz.pointee.avail_in == 0 {
                guard try refill() else {
                    throw IOError.truncated(path: path, offset: source.offset,
                                            reason: "bz2 stream ends before its end marker (file cut short?)")
                }
            }
            let rc = BZ2_bzDecompress(bz)
            switch rc {
            case BZ_OK:
                continue
            case BZ_STREAM_END:
                atStreamBoundary = true
            case BZ_DATA_ERROR:
                throw IOError.malformed(path: path, offset: compressedOffset,
                                        reason: "corrupt bz2 data: a block's CRC does not match its data, or the stream is damaged")
            case BZ_DATA_ERROR_MAGIC:
                throw IOError.malformed(path: path, offset: compressedOffset, reason: "corrupt bz2 data: bad stream magic")
            case BZ_MEM_ERROR:
                throw IOError.malformed(path: path, offset: compressedOffset, reason: "libbz2 is out of memory")
            default:
                throw IOError.malformed(path: path, offset: compressedOffset, reason: "libbz2 error \(rc)")
            }
        }
        let produced = want - Int(bz.pointee.avail_out)
        if offset + Int64(produced) > maxBytes {
            throw IOError.malformed(path: path, offset: compressedOffset,
                                    reason: "decompresses to more than \(maxBytes) bytes, the cap (a bz2 bomb, or a file larger than expected: raise it with --max-bytes)")
        }
        offset += Int64(produced)
        return produced
    }

    /// After one stream's end: another stream follows, or the end of the file.
    private func startNextStream() throws -> Bool {
        if bz.pointee.avail_in == 0, try !refill() { return false }
        _ = try fillMagic()
        try checkMagic(after: true)
        BZ2_bzDecompressEnd(bz)
        initialized = false
        let (next, avail) = (bz.pointee.next_in, bz.pointee.avail_in)
        let (out, room) = (bz.pointee.next_out, bz.pointee.avail_out)
        bz.pointee = bz_stream()
        bz.pointee.next_in = next
        bz.pointee.avail_in = avail
        bz.pointee.next_out = out
        bz.pointee.avail_out = room
        try startStream()
        atStreamBoundary = false
        return true
    }

    /// Moves the unread input to the buffer's start and reads until 3 bytes (a stream's
    /// magic) are there, or the source ends; true if they are. The magic may straddle reads.
    private func fillMagic() throws -> Bool {
        guard bz.pointee.avail_in < 3 else { return true }
        var have = Int(bz.pointee.avail_in)
        let pending = UnsafeRawPointer(bz.pointee.next_in!)
        for i in 0..<have { input[i] = pending.load(fromByteOffset: i, as: UInt8.self) }  // at most 2 bytes, may overlap
        while have < 3 {
            let got = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: input[have...]))
            if got == 0 { break }
            have += got
        }
        bz.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: CChar.self)
        bz.pointee.avail_in = UInt32(have)
        return have >= 3
    }

    private func checkMagic(after: Bool = false) throws {
        let head = UnsafeRawBufferPointer(start: bz.pointee.next_in, count: Int(min(bz.pointee.avail_in, 4)))
        guard head.count >= 3, head[0] == 0x42, head[1] == 0x5A, head[2] == 0x68 else {  // "BZh"
            let shown = head.prefix(3).map { hex($0) }.joined(separator: " ")
            if after {
                throw IOError.malformed(path: path, offset: compressedOffset,
                                        reason: "bytes after the end of bz2 stream \(streams) are not another bz2 stream (starts with \(shown))")
            }
            throw IOError.malformed(path: path, offset: 0, reason: "not a bz2 file (starts with bytes \(shown), bz2 starts with 42 5a 68 'BZh')")
        }
    }

    private func startStream() throws {
        let rc = BZ2_bzDecompressInit(bz, 0, 0)
        guard rc == BZ_OK else {
            throw IOError.malformed(path: path, offset: nil, reason: "libbz2 BZ2_bzDecompressInit failed (code \(rc))")
        }
        initialized = true
        streams += 1
    }

    /// Reads the next block of compressed input; false at the end of the source.
    private func refill() throws -> Bool {
        let got = try source.read(into: input)
        bz.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: CChar.self)
        bz.pointee.avail_in = UInt32(got)
        return got > 0
    }
}
