#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NASDataIO

/// Keeps disk space allocated ahead of what the archive may write before its next
/// durable point, so a full disk shows up in our own `posix_fallocate` call right
/// after a durable point, never in the middle of an HDF5 write (a write failing
/// half-way can leave metadata that points past the end of the file).
///
/// The reserved tail lies past HDF5's end-of-allocation: HDF5 opens such files
/// (only a file *shorter* than its EOA is "truncated") and trims the tail itself
/// when the file is closed.
struct SpaceReservation {
    let path: String
    /// Bytes kept free ahead of `upperBound`.
    var ahead: Int64
    /// Upper bound of the bytes HDF5 can have allocated so far.
    private(set) var upperBound: Int64
    private var reservedEnd: Int64

    init(path: String, ahead: Int64) throws {
        self.path = path
        self.ahead = ahead
        var st = stat()
        guard stat(path, &st) == 0 else { throw IOError.system(operation: "stat", path: path, errno: errno) }
        upperBound = Int64(st.st_size)
        reservedEnd = Int64(st.st_size)
        try reserve()
    }

    /// Accounts for `bytes` written since the last call (data plus a metadata allowance) and
    /// extends the reservation; throws `IOError` (ENOSPC, EFBIG, ...) when the disk cannot hold it.
    mutating func wrote(_ bytes: Int64) throws {
        upperBound += bytes + (256 << 10)
        try reserve()
    }

    private mutating func reserve() throws {
        let want = upperBound + ahead
        guard want > reservedEnd else { return }
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw IOError.system(operation: "open (to reserve space)", path: path, errno: errno) }
        defer { close(fd) }
        let rc = posix_fallocate(fd, off_t(reservedEnd), off_t(want - reservedEnd))
        guard rc == 0 else {
            throw IOError.system(operation: "reserve \(want - reservedEnd) bytes of disk space (posix_fallocate)", path: path, errno: rc)
        }
        reservedEnd = want
    }
}
