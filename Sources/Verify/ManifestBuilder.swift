#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Checksums
import NASDataIO
import Concurrency

/// Builds the manifest of a directory tree: every regular file below `root`
/// (name order, paths relative to `root`), hashed in parallel.
public enum ManifestBuilder {
    /// `manifest`: hashes every file under `root` (not `output` itself nor its temporary file) and
    /// writes the manifest to `output` atomically. Returns the manifest and the bytes hashed.
    public static func write(root: String, to output: String, algorithm: HashAlgorithm = .sha256,
                             jobs: Int = BoundedParallel.defaultJobs) throws -> (manifest: Manifest, bytes: Int64) {
        let manifest = try build(root: root, algorithm: algorithm,
                                 excluding: [output, AtomicOutput.temporaryPath(for: output)], jobs: jobs)
        let text = manifest.render()
        try AtomicOutput.write(to: output) { temp in
            guard FileManager.default.createFile(atPath: temp, contents: Data(text.utf8)) else {
                throw IOError.system(operation: "create", path: temp, errno: errno)
            }
        }
        return (manifest, manifest.entries.reduce(Int64(0)) { $0 + ($1.size ?? 0) })
    }

    public static func build(root: String, algorithm: HashAlgorithm = .sha256, excluding: Set<String> = [],
                             jobs: Int = BoundedParallel.defaultJobs, showProgress: Bool = true) throws -> Manifest {
        var st = stat()
        guard stat(root, &st) == 0 else { throw IOError.system(operation: "stat", path: root, errno: errno) }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            throw IOError.malformed(path: root, offset: nil, reason: "not a directory")
        }
        let excludedReal = Set(excluding.compactMap(realPath))
        let files = try FileWalker.expand(root).get().filter { p in
            guard let real = realPath(p) else { return true }
            return !excludedReal.contains(real)
        }
        let prefix = root.hasSuffix("/") ? root : root + "/"
        let relative = files.map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : $0 }
        let total = files.reduce(Int64(0)) { $0 + max(FileWalker.size($1), 0) }
        let progress = showProgress ? ByteProgress("manifest", totalBytes: total) : nil
        let results = ParallelHasher.hash(paths: files, algorithms: [algorithm], jobs: jobs) { progress?.advance(bytes: $0) }
        progress?.finish()
        var entries = [Manifest.Entry]()
        for (i, r) in results.enumerated() {
            let d = try r.get()   // the first unreadable file aborts, naming it
            entries.append(Manifest.Entry(path: relative[i], algorithm: algorithm, digest: d[algorithm]!.hex, size: d.size))
        }
        return Manifest(entries: entries)
    }

    static func realPath(_ p: String) -> String? {
        guard let r = realpath(p, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }
}
