import CZlib

/// zlib's streaming inflate, the one wrapper of it in the package: the gzip reader, the zip
/// reader and `Deflate.decompress` all go through zlib, and the first two through this.
///
/// The caller owns the buffers: `setInput` / `setOutput` point zlib at them, `inflate` runs
/// one step. zlib keeps a pointer back to its `z_stream`, so the struct lives on the heap
/// and never moves.
public final class Inflater {
    /// The wrapper around the deflate data.
    public enum Format: Sendable {
        /// RFC 1950 (2-byte header, Adler-32 trailer).
        case zlib
        /// RFC 1952 (gzip header, CRC-32 and length trailer, both checked).
        case gzip
        /// Bare deflate (zip's method 8).
        case raw

        var windowBits: Int32 {
            switch self {
            case .zlib: return 15
            case .gzip: return 15 + 16
            case .raw: return -15
            }
        }
    }

    /// What one `inflate` step did.
    public enum Status: Sendable, Equatable {
        /// Progress was made; more may follow.
        case progress
        /// The end of the stream (for gzip: of one member, trailer checked).
        case streamEnd
        /// No progress possible: no input left or no output room (zlib's Z_BUF_ERROR).
        case stalled
    }

    /// zlib refused: its code and message.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let code: Int32
        public let message: String
        public var description: String { message }
    }

    private let zs: UnsafeMutablePointer<z_stream>

    public init(_ format: Format) throws {
        zs = .allocate(capacity: 1)
        zs.initialize(to: z_stream())
        let rc = inflateInit2_(zs, format.windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            zs.deallocate()
            throw Failure(code: rc, message: "zlib inflateInit2 failed (code \(rc))")
        }
    }

    deinit {
        inflateEnd(zs)
        zs.deallocate()
    }

    /// The compressed bytes to read next (zlib reads them in place; keep them alive).
    public func setInput(_ bytes: UnsafeRawPointer?, count: Int) {
        zs.pointee.next_in = UnsafeMutablePointer(mutating: bytes?.assumingMemoryBound(to: Bytef.self))
        zs.pointee.avail_in = uInt(count)
    }

    /// Where the next decompressed bytes go.
    public func setOutput(_ bytes: UnsafeMutableRawPointer?, count: Int) {
        zs.pointee.next_out = bytes?.assumingMemoryBound(to: Bytef.self)
        zs.pointee.avail_out = uInt(count)
    }

    /// Input bytes not consumed yet.
    public var availableInput: Int { Int(zs.pointee.avail_in) }
    /// Output room left.
    public var availableOutput: Int { Int(zs.pointee.avail_out) }
    /// The input bytes not consumed yet.
    public var remainingInput: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: zs.pointee.next_in, count: Int(zs.pointee.avail_in))
    }

    /// Drops the rest of the input.
    public func discardInput() { zs.pointee.avail_in = 0 }

    /// One inflate step (Z_NO_FLUSH). Throws on corrupt data.
    public func inflate() throws -> Status {
        let rc = CZlib.inflate(zs, Z_NO_FLUSH)
        switch rc {
        case Z_OK: return .progress
        case Z_STREAM_END: return .streamEnd
        case Z_BUF_ERROR: return .stalled
        default:
            throw Failure(code: rc, message: zs.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)")
        }
    }

    /// Starts a new stream of the same format, keeping the input pointer (the next gzip member).
    public func reset() { inflateReset(zs) }
}
