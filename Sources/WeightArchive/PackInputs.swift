#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Checksums
import NASDataIO

/// Where the FULL files come from.
public enum PackInputs: Sendable, Equatable {
    /// A directory of `{index:06d}-FULL.pth` files (its `*.pth` files, taken in name order).
    case directory(String)
    /// The archive `.tar` (or `.tar.gz`), read front to back as a stream.
    case tar(String)
    /// Split parts of the tar (`archive.taraa`, `archive.tarab`, ...) read in this order as one stream.
    case parts([String])

    /// Recorded in the archive; a resumed pack must name the same inputs.
    public var signature: String {
        switch self {
        case .directory(let p): return "directory:\(p)"
        case .tar(let p): return "tar:\(p)"
        case .parts(let ps): return "parts:" + ps.joined(separator: ",")
        }
    }

    /// The input paths as given.
    public var paths: [String] {
        switch self {
        case .directory(let p), .tar(let p): return [p]
        case .parts(let ps): return ps
        }
    }

    /// Picks the kind of one or more paths: a directory, a single tar, or several files = split parts.
    public static func detect(_ paths: [String]) throws -> PackInputs {
        guard let first = paths.first else { throw ArchiveError.invalidArgument("no input given") }
        var st = stat()
        for p in paths where stat(p, &st) != 0 {
            throw IOError.system(operation: "stat (input)", path: p, errno: errno)
        }
        _ = stat(first, &st)
        if paths.count == 1 {
            if (st.st_mode & S_IFMT) == S_IFDIR { return .directory(first) }
            return .tar(first)
        }
        return .parts(paths)
    }
}

/// One member of the input: a name and, when asked for, its bytes.
struct InputMember {
    /// Position in input order (0-based), counting every member the input yields.
    let ordinal: Int
    let name: String
    /// False for tar directory/link entries, which are passed over.
    let isFile: Bool
}

/// Walks the inputs in their fixed order, one member at a time (bounded memory:
/// only the current member's bytes are ever held).
final class MemberSource {
    private let inputs: PackInputs
    let files: WeightFiles
    private var directoryNames: [String] = []
    private var tar: TarReader?
    private var nextOrdinal = 0
    /// Largest member read into memory; a real FULL file is ~14.5 MB (largest ~50 MB).
    static let memberLimit = 1 << 30

    init(_ inputs: PackInputs, files: WeightFiles = .nasBench201) throws {
        self.inputs = inputs
        self.files = files
        switch inputs {
        case .directory(let dir):
            directoryNames = try MemberSource.listFiles(dir, suffix: files.fileSuffix)
        case .tar(let path):
            tar = try TarReader(path: path)
        case .parts(let parts):
            tar = TarReader(try ConcatenatedFiles(parts: parts))
        }
    }

    /// Number of members when known up front (directories), for progress.
    var knownCount: Int? {
        if case .directory = inputs { return directoryNames.count }
        return nil
    }

    /// True for tar input: a read error there breaks the whole stream.
    var isStream: Bool {
        if case .directory = inputs { return false }
        return true
    }

    /// Bytes of the whole input when known (for progress in bytes).
    var description: String { inputs.signature }

    func next() throws -> InputMember? {
        defer { nextOrdinal += 1 }
        switch inputs {
        case .directory:
            guard nextOrdinal < directoryNames.count else { return nil }
            return InputMember(ordinal: nextOrdinal, name: directoryNames[nextOrdinal], isFile: true)
        case .tar, .parts:
            guard let entry = try tar!.next() else { return nil }
            return InputMember(ordinal: nextOrdinal, name: entry.name, isFile: entry.isFile)
        }
    }

    /// Makes the member `next()` returned last readable by path.
    ///
    /// A directory member is its own file. A tar member is copied into an
    /// anonymous in-memory file (`memfd_create`, reached as `/proc/self/fd/N`): no
    /// extraction, no second copy on disk, memory bounded by one member. Either way the
    /// MD5 is left to whoever decodes the member (a worker thread: `MaterializedMember.digest()`),
    /// so the thread reading the tar stream only copies.
    func materialize(_ member: InputMember) throws -> MaterializedMember {
        switch inputs {
        case .directory(let dir):
            let path = dir + "/" + member.name
            var st = stat()
            guard stat(path, &st) == 0 else { throw IOError.system(operation: "stat", path: path, errno: errno) }
            return MaterializedMember(path: path, size: Int64(st.st_size), fd: -1)
        case .tar, .parts:
            let entry = tar!.current!
            guard entry.size <= MemberSource.memberLimit else {
                throw ArchiveError.badInput(member: member.name, reason: "\(entry.size) bytes is too large for a weight file")
            }
            let fd = MemoryFile.create("nasdata-member")
            guard fd >= 0 else { throw IOError.system(operation: "memfd_create", path: member.name, errno: errno) }
            let result = MaterializedMember(path: "/proc/self/fd/\(fd)", size: entry.size, fd: fd)
            do {
                let stream = tar!.contents
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
                defer { buffer.deallocate() }
                var total: Int64 = 0
                while true {
                    let n = try stream.read(into: buffer)
                    if n == 0 { break }
                    let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
                    var written = 0
                    while written < n {
                        let w = write(fd, chunk.baseAddress! + written, n - written)
                        if w < 0 {
                            if errno == EINTR { continue }
                            throw IOError.system(operation: "write (in-memory copy of a tar member)", path: member.name, errno: errno)
                        }
                        written += w
                    }
                    total += Int64(n)
                }
                guard total == entry.size else {
                    throw IOError.truncated(path: member.name, offset: total, reason: "tar member ends after \(total) of \(entry.size) bytes")
                }
                return result
            } catch {
                result.close()
                throw error
            }
        }
    }

    /// Regular, non-hidden `*.pth` (NATS-Bench: `*.pickle.pbz2`) files in `dir`, sorted by
    /// name (a README or checksum list beside the weights is not an input; a `.pth` with
    /// another name than `{index:06d}-FULL.pth` is, and is reported).
    static func listFiles(_ dir: String, suffix: String = ".pth") throws -> [String] {
        guard let handle = opendir(dir) else { throw IOError.system(operation: "list directory", path: dir, errno: errno) }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name.hasPrefix(".") || !name.hasSuffix(suffix) { continue }
            var st = stat()
            if stat(dir + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { names.append(name) }
        }
        return names.sorted()
    }
}

/// An input member readable by path; `close()` releases an in-memory copy.
struct MaterializedMember {
    let path: String
    let size: Int64
    let fd: Int32

    /// MD5 and size of the bytes (read now: on the decoding thread, not the one reading the input).
    func digest() throws -> (md5: [UInt8], size: Int64) {
        let digests = try FileHasher.hash(path: path, algorithms: [.md5])
        return (digests.md5!.bytes, digests.size)
    }

    func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
    }
}

/// `memfd_create(2)`: an anonymous file that lives in memory. Glibc declares it only
/// under _GNU_SOURCE, which Swift's Glibc module does not set, so it is bound by name.
enum MemoryFile {
    @_silgen_name("memfd_create")
    private static func memfd_create(_ name: UnsafePointer<CChar>, _ flags: UInt32) -> Int32

    /// A new in-memory file descriptor (close-on-exec), or -1 with errno set.
    static func create(_ name: String) -> Int32 {
        memfd_create(name, 1 /* MFD_CLOEXEC */)
    }
}
