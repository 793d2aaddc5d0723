/// Bytes already in memory (a tar member copied out of a sequential stream so that another
/// thread can decode it), read as a stream that names the file they came from.
public final class MemoryByteStream: ByteStream {
    public let path: String
    public private(set) var offset: Int64 = 0
    private let bytes: [UInt8]

    public init(_ bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let start = Int(offset)
        let n = min(buffer.count, bytes.count - start)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + start, byteCount: n)
        }
        offset += Int64(n)
        return n
    }

    public func skip(_ count: Int64) throws {
        guard count <= Int64(bytes.count) - offset else {
            throw IOError.truncated(path: path, offset: Int64(bytes.count),
                                    reason: "stream ended \(count - (Int64(bytes.count) - offset)) bytes before the end of a \(count)-byte skip")
        }
        offset += count
    }
}
