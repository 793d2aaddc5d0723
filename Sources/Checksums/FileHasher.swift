#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NASDataIO

/// The digests of one file, computed in a single read pass.
public struct FileDigests: Sendable, Equatable {
    /// Bytes actually read (the file's size at the time it was hashed).
    public let size: Int64
    public let digests: [HashAlgorithm: Digest]

    public init(size: Int64, digests: [HashAlgorithm: Digest]) {
        self.size = size
        self.digests = digests
    }

    public subscript(_ algorithm: HashAlgorithm) -> Digest? { digests[algorithm] }
    public var md5: Digest? { digests[.md5] }
    public var sha256: Digest? { digests[.sha256] }
}

/// Hashes files by streaming them through a fixed buffer: memory use is the buffer
/// (4 MiB by default) whatever the file size, and one read pass feeds every
/// requested algorithm. An instance reuses its buffer across files; it is not
/// thread-safe, so give each thread its own (`ParallelHasher` does).
public final class FileHasher {
    /// 4 MiB reads: large enough that syscall cost vanishes next to hashing
    /// (~1.5 ms of MD5 a read), small enough to stay in L2/L3-friendly territory.
    public static let defaultBufferSize = 4 << 20

    private let buffer: UnsafeMutableRawBufferPointer

    public init(bufferSize: Int = FileHasher.defaultBufferSize) {
        buffer = .allocate(byteCount: max(bufferSize, 4096), alignment: 4096)
    }

    deinit { buffer.deallocate() }

    /// One-shot convenience: hashes `path` with a temporary buffer.
    public static func hash(path: String, algorithms: Set<HashAlgorithm> = [.md5, .sha256],
                            progress: ((Int64) -> Void)? = nil) throws -> FileDigests {
        try FileHasher().hash(path: path, algorithms: algorithms, progress: progress)
    }

    /// Reads `path` once from start to end and returns every requested digest.
    /// `progress` is called with the byte count of each read as it completes.
    /// Throws `IOError.system` naming the file if it cannot be opened or read.
    public func hash(path: String, algorithms: Set<HashAlgorithm> = [.md5, .sha256],
                     progress: ((Int64) -> Void)? = nil) throws -> FileDigests {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOError.system(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw IOError.system(operation: "read", path: path, errno: EISDIR)
        }
        #if os(Linux)
        // Tell the kernel we read front to back so it reads ahead aggressively.
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
        let hashers = algorithms.sorted().map { $0.makeHasher() }
        var total: Int64 = 0
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw IOError.system(operation: "read (after \(total) bytes)", path: path, errno: errno)
            }
            if n == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            for h in hashers { h.update(chunk) }
            total += Int64(n)
            progress?(Int64(n))
        }
        var digests = [HashAlgorithm: Digest]()
        for h in hashers { digests[h.algorithm] = h.finalize() }
        return FileDigests(size: total, digests: digests)
    }
}
