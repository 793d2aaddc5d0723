#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes an output file under a temporary name beside its final path and renames
/// it into place only after the whole job succeeded, so a crash, an error or a
/// kill never leaves a half-written file that looks complete.
///
///     try AtomicOutput.write(to: "out.h5") { tempPath in
///         try writeEverything(to: tempPath)
///     }
///
/// The temporary name is `.<name>.partial-<pid>` in the same directory (same file
/// system, so `rename(2)` is atomic). On a thrown error the temporary file is removed.
public enum AtomicOutput {
    public static func temporaryPath(for finalPath: String) -> String {
        let (dir, name) = split(finalPath)
        return dir + "." + name + ".partial-\(getpid())"
    }

    @discardableResult
    public static func write<R>(to finalPath: String, _ body: (String) throws -> R) throws -> R {
        let temp = temporaryPath(for: finalPath)
        unlink(temp)
        do {
            let result = try body(temp)
            try commit(temp, to: finalPath)
            return result
        } catch {
            unlink(temp)
            throw error
        }
    }

    /// fsyncs `temp`, renames it to `finalPath` and fsyncs the directory, so the
    /// rename itself survives a power cut.
    public static func commit(_ temp: String, to finalPath: String) throws {
        let fd = open(temp, O_RDONLY)
        guard fd >= 0 else { throw IOError.system(operation: "open", path: temp, errno: errno) }
        let syncResult = fsync(fd)
        let syncErrno = errno
        close(fd)
        guard syncResult == 0 else { throw IOError.system(operation: "fsync", path: temp, errno: syncErrno) }
        guard rename(temp, finalPath) == 0 else {
            throw IOError.system(operation: "rename to \(finalPath)", path: temp, errno: errno)
        }
        let (dir, _) = split(finalPath)
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    private static func split(_ path: String) -> (dir: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[...slash]), String(path[path.index(after: slash)...]))
    }
}
