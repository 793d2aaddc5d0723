#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NASDataIO

/// Sequential reader over a file (buffered, 1 MiB reads), an in-memory byte array, or
/// a forward-only `ByteStream` (a bz2 or gzip decompressor).
///
/// It knows its total length, so a declared length can be checked against the bytes
/// that remain *before* anything is allocated, and every error carries the absolute
/// byte offset. A window (`start`, `end`) restricts reading to part of a file, e.g.
/// one stored zip entry. A stream's length is not known: its `end` is the most it may
/// deliver (the decompressor's cap), and large payloads are read piece by piece, so
/// a declared length the stream does not hold never becomes one big allocation.
public final class ByteReader {
    public let path: String
    private let fd: Int32
    private let stream: ByteStream?
    private var buffer: [UInt8]
    private var pos = 0               // index into buffer
    private var bufferStart: Int64    // absolute offset of buffer[0]
    /// Absolute offset where reading must stop (exclusive).
    public let end: Int64
    private static let chunk = 1 << 20

    /// Reads `path` from `start` (default 0) to `end` (default: end of file).
    public init(path: String, start: Int64 = 0, end: Int64? = nil) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw PickleError(path: path, offset: 0,
                              reason: .malformed("cannot open: \(String(cString: strerror(errno)))"))
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            close(fd)
            throw PickleError(path: path, offset: 0, reason: .malformed("cannot stat"))
        }
        let size = Int64(st.st_size)
        self.path = path
        self.fd = fd
        self.stream = nil
        self.end = min(end ?? size, size)
        self.bufferStart = start
        self.buffer = []
    }

    /// Reads from memory; `name` is used in errors.
    public init(bytes: [UInt8], name: String = "<memory>") {
        self.path = name
        self.fd = -1
        self.stream = nil
        self.buffer = bytes
        self.bufferStart = 0
        self.end = Int64(bytes.count)
    }

    /// Reads `stream` front to back, at most `limit` bytes (offsets count from the
    /// stream's current position, which is normally its start).
    public init(stream: ByteStream, limit: Int64) {
        self.path = stream.path
        self.fd = -1
        self.stream = stream
        self.buffer = []
        self.bufferStart = stream.offset
        self.end = stream.offset + max(limit, 0)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Absolute offset of the next byte.
    @inline(__always) public var offset: Int64 { bufferStart + Int64(pos) }
    public var remaining: Int64 { end - offset }
    public var isAtEnd: Bool { offset >= end }

    /// The bytes left after the current position: `remaining` for a file or memory; for a
    /// stream (whose true length is unknown until it ends) the rest is read and counted, a
    /// chunk at a time, up to `end` (the decompressor's cap stops a bomb hidden there).
    public func countRest() throws -> Int64 {
        guard let stream else { return max(remaining, 0) }
        var count = Int64(max(buffer.count - pos, 0))
        let limit = max(end - offset, 0)
        var scratch = [UInt8](repeating: 0, count: 1 << 16)
        while count <= limit {
            let got = try scratch.withUnsafeMutableBytes { try stream.read(into: $0) }
            guard got > 0 else { break }
            count += Int64(got)
        }
        return count
    }

    func error(_ reason: PickleError.Reason, at off: Int64? = nil) -> PickleError {
        PickleError(path: path, offset: off ?? offset, reason: reason)
    }

    /// Makes at least `n` bytes available in the buffer (n <= chunk), or throws truncated.
    @inline(__always) private func ensure(_ n: Int) throws {
        if buffer.count - pos >= n, bufferStart + Int64(pos + n) <= end { return }
        try refill(n)
    }

    /// Keeps the unread bytes and reads up to a chunk more (from the file or the stream).
    private func refill(_ n: Int) throws {
        guard Int64(n) <= remaining else { throw error(.truncated(needed: n - Int(max(remaining, 0)))) }
        guard fd >= 0 || stream != nil else { throw error(.truncated(needed: n)) }
        let keep = buffer.count - pos
        let absolute = offset
        let want = Int(min(Int64(max(ByteReader.chunk, n)), end - absolute))
        var fresh = [UInt8](repeating: 0, count: want)
        if keep > 0 { fresh.replaceSubrange(0..<keep, with: buffer[pos...]) }
        var filled = keep
        while filled < want {
            let got = try readMore(into: &fresh, from: filled, to: want, at: absolute + Int64(filled))
            guard got > 0 else { break }
            filled += got
        }
        fresh.removeSubrange(filled...)
        buffer = fresh
        bufferStart = absolute
        pos = 0
        guard filled >= n else { throw error(.truncated(needed: n - filled)) }
    }

    /// One read into `bytes[from..<to]`: the stream's next bytes, or the file's at `offset`;
    /// 0 at the end (or on a read error of the file, reported as truncation by the caller).
    private func readMore(into bytes: inout [UInt8], from: Int, to: Int, at offset: Int64) throws -> Int {
        if let stream {
            return try bytes.withUnsafeMutableBytes { try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[from..<to])) }
        }
        while true {
            let got = bytes.withUnsafeMutableBytes { raw in pread(fd, raw.baseAddress! + from, to - from, off_t(offset)) }
            if got < 0 && errno == EINTR { continue }
            return max(got, 0)
        }
    }

    /// A large payload from the stream, read a chunk at a time (the array grows with
    /// the bytes that really arrive, not with the declared length).
    private func streamBytes(_ stream: ByteStream, _ n: Int) throws -> [UInt8] {
        let have = buffer.count - pos
        var out = Array(buffer[pos...])
        let absolute = offset
        buffer = []
        bufferStart = absolute + Int64(have)
        pos = 0
        var scratch = [UInt8](repeating: 0, count: ByteReader.chunk)
        while out.count < n {
            let want = min(ByteReader.chunk, n - out.count)
            let got = try scratch.withUnsafeMutableBytes { raw in
                try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<want]))
            }
            guard got > 0 else { throw error(.truncated(needed: n - out.count), at: absolute + Int64(out.count)) }
            out.append(contentsOf: scratch[0..<got])
            bufferStart += Int64(got)
        }
        return out
    }

    @inline(__always) public func byte() throws -> UInt8 {
        if pos < buffer.count, bufferStart + Int64(pos) < end { defer { pos += 1 }; return buffer[pos] }
        try ensure(1)
        defer { pos += 1 }
        return buffer[pos]
    }

    /// Checks a declared length against what remains, then reads it.
    public func bytes(_ n: Int) throws -> [UInt8] {
        guard n >= 0 else { throw error(.tooLarge("negative length \(n)")) }
        guard Int64(n) <= remaining else {
            throw error(.tooLarge("\(n) bytes declared, \(max(remaining, 0)) remain"))
        }
        if let stream, n > ByteReader.chunk { return try streamBytes(stream, n) }
        // In memory (fd < 0) the buffer holds everything: slice it. (Discarding it, as the
        // file path below does, lost the rest of an in-memory pickle after a > 1 MiB string.)
        if n <= ByteReader.chunk || fd < 0 {
            try ensure(n)
            defer { pos += n }
            return Array(buffer[pos..<pos + n])
        }
        // Large payloads are read straight into their own array, bypassing the buffer.
        var out = [UInt8](repeating: 0, count: n)
        let have = min(buffer.count - pos, n)
        out.replaceSubrange(0..<have, with: buffer[pos..<pos + have])
        var filled = have
        let absolute = offset
        while filled < n {
            let got = out.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + filled, n - filled, off_t(absolute + Int64(filled)))
            }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { throw error(.truncated(needed: n - filled), at: absolute + Int64(filled)) }
            filled += got
        }
        buffer = []
        bufferStart = absolute + Int64(n)
        pos = 0
        return out
    }

    /// Calls `body` with a view of the next `n` bytes (n <= 1 MiB), without copying.
    @inline(__always) func withBytes<R>(_ n: Int, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard Int64(n) <= remaining else {
            throw error(.tooLarge("\(n) bytes declared, \(max(remaining, 0)) remain"))
        }
        if n > ByteReader.chunk {
            let copy = try bytes(n)
            return try copy.withUnsafeBytes(body)
        }
        try ensure(n)
        defer { pos += n }
        return try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[pos..<pos + n])) }
    }

    public func skip(_ n: Int64) throws {
        guard n >= 0, n <= remaining else {
            throw error(.tooLarge("skip of \(n) bytes, \(max(remaining, 0)) remain"))
        }
        let inBuffer = Int64(buffer.count - pos)
        if n <= inBuffer { pos += Int(n); return }
        let target = offset + n
        if let stream { try stream.skip(n - inBuffer) }
        buffer = []
        bufferStart = target
        pos = 0
    }

    public func uint16() throws -> UInt16 { try withBytes(2) { UInt16($0[0]) | UInt16($0[1]) << 8 } }
    public func uint32() throws -> UInt32 {
        try withBytes(4) { UInt32($0[0]) | UInt32($0[1]) << 8 | UInt32($0[2]) << 16 | UInt32($0[3]) << 24 }
    }
    public func uint64() throws -> UInt64 {
        try withBytes(8) { raw in (0..<8).reduce(UInt64(0)) { $0 | UInt64(raw[$1]) << (8 * UInt64($1)) } }
    }

    /// Reads up to and excluding the next `\n` (text opcodes of protocol 0), at most `limit` bytes.
    func line(limit: Int = 1 << 16) throws -> [UInt8] {
        var out: [UInt8] = []
        while true {
            let b = try byte()
            if b == 0x0A { return out }
            out.append(b)
            if out.count > limit { throw error(.tooLarge("text line longer than \(limit) bytes")) }
        }
    }
}
