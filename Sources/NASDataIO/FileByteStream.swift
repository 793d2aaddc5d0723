#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
private let systemClose = Glibc.close
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
private let systemClose = Darwin.close
#endif

/// A regular file read front to back with `read(2)`; `skip` seeks, so passing over
/// a 14 MB tar member of an uncompressed archive costs no I/O.
public final class FileByteStream: ByteStream {
    public let path: String
    public private(set) var offset: Int64 = 0
    /// The file's size when it was opened.
    public let size: Int64
    private var fd: Int32
    private let seekable: Bool

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOError.system(operation: "open", path: path, errno: errno) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            _ = systemClose(fd)
            throw IOError.system(operation: "stat", path: path, errno: e)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            _ = systemClose(fd)
            throw IOError.system(operation: "read (it is a directory)", path: path, errno: EISDIR)
        }
        self.fd = fd
        self.size = Int64(st.st_size)
        self.seekable = (st.st_mode & S_IFMT) == S_IFREG
    }

    deinit { if fd >= 0 { _ = systemClose(fd) } }

    public func close() {
        if fd >= 0 { _ = systemClose(fd); fd = -1 }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            let n = systemRead(fd, buffer.baseAddress, buffer.count)
            if n >= 0 {
                offset += Int64(n)
                return n
            }
            if errno == EINTR { continue }
            throw IOError.system(operation: "read at byte \(offset)", path: path, errno: errno)
        }
    }

    public func skip(_ count: Int64) throws {
        guard seekable else { return try discard(count) }
        if offset + count > size {
            throw IOError.truncated(path: path, offset: size, reason: "\(offset + count - size) bytes missing at the end of the file")
        }
        guard lseek(fd, off_t(offset + count), SEEK_SET) >= 0 else {
            throw IOError.system(operation: "seek to byte \(offset + count)", path: path, errno: errno)
        }
        offset += count
    }
}
