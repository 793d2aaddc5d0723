// Shared by the libFuzzer targets (Tools/fuzz.sh): the path-based readers get the input
// as a file in /dev/shm (one per process, rewritten for every input).
#if canImport(Glibc)
import Glibc
#endif

enum FuzzFile {
    static let path: String = {
        let dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        return "\(dir)/nasdata-fuzz-\(getpid())"
    }()

    /// Writes `data` to `path` (truncating) and returns the path.
    static func write(_ data: UnsafePointer<UInt8>, _ size: Int) -> String {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(fd >= 0, "cannot write \(path)")
        var done = 0
        while done < size {
            let n = Glibc.write(fd, data + done, size - done)
            precondition(n > 0)
            done += n
        }
        close(fd)
        return path
    }
}
