#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call or malformed input stream, always naming the file.
public enum IOError: Error, CustomStringConvertible, Equatable {
    /// A system call failed: `operation` on `path` set `errno`.
    case system(operation: String, path: String, errno: Int32)
    /// The bytes of `path` are not what the format requires, at byte `offset` if known.
    case malformed(path: String, offset: Int64?, reason: String)
    /// `path` ended after `offset` bytes while more were needed.
    case truncated(path: String, offset: Int64, reason: String)

    public var description: String {
        switch self {
        case let .system(operation, path, code):
            return "\(path): \(operation) failed: \(String(cString: strerror(code)))"
        case let .malformed(path, offset, reason):
            return "\(path)\(offset.map { " (byte \($0))" } ?? ""): \(reason)"
        case let .truncated(path, offset, reason):
            return "\(path): truncated at byte \(offset): \(reason)"
        }
    }
}
