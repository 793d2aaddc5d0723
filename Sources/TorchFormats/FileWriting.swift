#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NASDataIO

/// Writes the concatenation of `parts` to a new file at `path`.
func writeFile(_ path: String, _ parts: [[UInt8]]) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw IOError.system(operation: "create", path: path, errno: errno) }
    defer { close(fd) }
    for bytes in parts { try writeAll(fd, bytes, path: path) }
}

/// Writes all of `bytes` to `fd` (retrying short writes and EINTR); `path` names it in errors.
func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { throw IOError.system(operation: "write", path: path, errno: errno) }
        done += n
    }
}
