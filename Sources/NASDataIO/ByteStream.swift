/// A forward-only source of bytes: a file, a gzip inflater over a file, a tar member,
/// or an ordered list of split parts read as one.
///
/// Streams are classes because they own a file descriptor or a zlib state and are
/// chained (a tar reader over a gzip reader over a file). Every stream knows the
/// file it reads (`path`) and how many bytes it has delivered (`offset`), so an
/// error deep inside a chain still names the file and the byte.
public protocol ByteStream: AnyObject {
    /// The file (or description of files) this stream reads, for error messages.
    var path: String { get }
    /// Bytes delivered by `read` (or passed over by `skip`) so far.
    var offset: Int64 { get }
    /// Reads up to `buffer.count` bytes; returns 0 only at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Passes over `count` bytes; throws `IOError.truncated` if the stream ends first.
    func skip(_ count: Int64) throws
}

extension ByteStream {
    /// Reads and discards; streams that can seek override `skip`.
    public func skip(_ count: Int64) throws {
        try discard(count)
    }

    /// Reads and discards `count` bytes through a small buffer.
    public func discard(_ count: Int64) throws {
        var left = count
        let chunk = 1 << 16
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { scratch.deallocate() }
        while left > 0 {
            let want = Int(min(Int64(chunk), left))
            let got = try read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<want]))
            if got == 0 {
                throw IOError.truncated(path: path, offset: offset, reason: "stream ended \(left) bytes before the end of a \(count)-byte skip")
            }
            left -= Int64(got)
        }
    }

    /// Fills `buffer` completely; returns false if the stream was already at its end,
    /// throws `IOError.truncated` if it ended part-way.
    @discardableResult
    public func readExactly(into buffer: UnsafeMutableRawBufferPointer, what: String) throws -> Bool {
        var filled = 0
        while filled < buffer.count {
            let got = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if got == 0 {
                if filled == 0 { return false }
                throw IOError.truncated(path: path, offset: offset, reason: "\(what): got \(filled) of \(buffer.count) bytes")
            }
            filled += got
        }
        return true
    }

    /// Reads exactly `count` bytes into a new array (for small records: headers,
    /// pickles of a few MB); throws `IOError.truncated` if the stream ends first.
    public func readBytes(_ count: Int, what: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let complete = try bytes.withUnsafeMutableBytes { try readExactly(into: $0, what: what) }
        if !complete && count > 0 {
            throw IOError.truncated(path: path, offset: offset, reason: "\(what): stream ended, \(count) bytes needed")
        }
        return bytes
    }

    /// Reads everything that is left, refusing more than `limit` bytes so that a
    /// corrupt size never turns into an unbounded allocation.
    public func readToEnd(limit: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = try chunk.withUnsafeMutableBytes { try read(into: $0) }
            if got == 0 { return bytes }
            if bytes.count + got > limit {
                throw IOError.malformed(path: path, offset: offset, reason: "more than \(limit) bytes where at most that many were expected")
            }
            bytes.append(contentsOf: chunk[0..<got])
        }
    }
}
