#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NASDataIO

/// A read-only file read by offset (`pread`), safe to share across threads. Every
/// read is bounds-checked against the file size first, so a corrupt length never
/// turns into a huge allocation.
final class RandomAccessFile: @unchecked Sendable {
    let path: String
    let size: Int64
    private let fd: Int32

    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw IOError.system(operation: "open", path: path, errno: errno) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw IOError.system(operation: "stat", path: path, errno: e)
        }
        self.path = path
        self.fd = fd
        self.size = Int64(st.st_size)
    }

    deinit { close(fd) }

    func read(at offset: Int64, count: Int, what: String) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size, Int64(count) <= size - offset else {
            throw IOError.truncated(path: path, offset: min(max(offset, 0), size),
                                    reason: "\(what): \(count) bytes at byte \(offset) run past the end (\(size) bytes)")
        }
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = out.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + done, count - done, off_t(offset + Int64(done)))
            }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else {
                throw IOError.truncated(path: path, offset: offset + Int64(done), reason: "\(what): read failed")
            }
            done += got
        }
        return out
    }

    /// Streams `count` bytes from `offset` in chunks of at most 1 MiB.
    func forEachChunk(at offset: Int64, count: Int64, what: String, _ body: ([UInt8]) throws -> Void) throws {
        var done: Int64 = 0
        while done < count {
            let n = Int(min(count - done, 1 << 20))
            try body(try read(at: offset + done, count: n, what: what))
            done += Int64(n)
        }
    }
}

func readLE<T: FixedWidthInteger>(_ b: [UInt8], _ at: Int, as: T.Type = T.self) -> T {
    var v: T = 0
    for i in 0..<MemoryLayout<T>.size { v |= T(truncatingIfNeeded: b[at + i]) << (8 * i) }
    return v
}

func appendLE<T: FixedWidthInteger>(_ out: inout [UInt8], _ v: T) {
    for i in 0..<MemoryLayout<T>.size { out.append(UInt8(truncatingIfNeeded: v >> (8 * i))) }
}
