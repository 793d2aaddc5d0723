#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NASBench
import Checksums
import NASDataIO
import Concurrency

/// Runs every check `nasdata verify` knows on a list of files, several files at a
/// time, and returns one report per file in input order.
///
/// Per file, cheap evidence comes first: existence and size (a truncated file is
/// reported without reading it), then the first KBs (an HTML page), then one
/// streaming hash pass computing every digest the rules need, then structure
/// checks. Memory is one hash buffer a worker.
public struct Verifier: Sendable {
    public var jobs: Int
    /// Draw a progress line (bytes) on a terminal.
    public var showProgress: Bool
    /// Skip the (slow, multi-GB pickle parse) structure check of benchmark meta
    /// files and rely on their name suffix alone.
    public var hashOnly: Bool
    /// The argv (up to the file's path) of a child process that verifies one file and
    /// prints the `--json` document: HDF5 files are checked there, so that libhdf5
    /// crashing on a hostile file gives one FAILED line, not a dead `verify`
    /// (`nasdata verify` passes itself with `--in-process`). nil: in this process.
    public var isolation: [String]?

    public init(jobs: Int = BoundedParallel.defaultJobs, showProgress: Bool = true, hashOnly: Bool = false) {
        self.jobs = max(1, jobs)
        self.showProgress = showProgress
        self.hashOnly = hashOnly
    }

    /// Verifies files and directories (walked recursively, in name order).
    public func verify(paths: [String]) -> [FileReport] {
        var collected = [String]()
        var missing = [FileReport]()
        var absent = [FileReport]()
        for p in paths {
            switch FileWalker.expand(p) {
            case .success(let list):
                collected += list
                absent += Verifier.absentMembers(of: p, present: list)
            case .failure(let error):
                missing.append(FileReport(path: p, kind: "missing", rule: "exists", outcome: .failed,
                                          detail: "\(error)"))
            }
        }
        let files = collected
        let hashOnly = self.hashOnly
        let isolation = self.isolation.map { IsolatedCheck(command: $0) }
        let reports = run(count: files.count, sizeOf: { FileWalker.size(files[$0]) }) { hasher, i, progress in
            FileRules.check(path: files[i], hasher: hasher, hashOnly: hashOnly, isolation: isolation, progress: progress)
        }
        return missing + reports + absent
    }

    /// A known folder (`cifar-10-batches-py`, `cifar-100-python`, `ImageNet16`) given or
    /// found while walking must hold all its known files: each absent one is a failure.
    static func absentMembers(of root: String, present files: [String]) -> [FileReport] {
        // Only directories the user asked for (and folders inside them) are held to
        // the list: naming one file of a folder says nothing about its siblings.
        var isDir = ObjCBool(false)
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir), isDir.boolValue else { return [] }
        var folders = [String: Set<String>]()   // folder path -> names present
        folders[root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root] = []
        for f in files {
            guard let slash = f.lastIndex(of: "/") else { continue }
            folders[String(f[..<slash]), default: []].insert(String(f[f.index(after: slash)...]))
        }
        var reports = [FileReport]()
        for (folder, names) in folders.sorted(by: { $0.key < $1.key }) {
            let folderName = FileRules.lastComponent(folder)
            for known in KnownFiles.table where known.folder == folderName && !names.contains(known.name) {
                reports.append(FileReport(path: folder + "/" + known.name, kind: known.kind,
                                          rule: "known folder \(folderName)/ is complete", outcome: .failed,
                                          detail: "missing: \(folderName)/ should hold \(known.name)"))
            }
            if let nats = NATSFolder.parse(folderName) {
                reports += natsAbsent(folder: folder, nats: nats, names: names)
            }
        }
        return reports
    }

    /// A NATS-Bench `-simple`/`-full` folder holds `meta.pickle.pbz2` and one file per architecture
    /// of its space: one line for an absent meta file, one for the folder if files are missing.
    static func natsAbsent(folder: String, nats: NATSFolder, names: Set<String>) -> [FileReport] {
        var reports = [FileReport]()
        let count = nats.space.count
        if !names.contains(NATSFolder.metaName) {
            reports.append(FileReport(path: folder + "/" + NATSFolder.metaName, kind: "NATS-Bench \(nats.space.rawValue) meta file",
                                      rule: "known folder \(FileRules.lastComponent(folder))/ is complete", outcome: .failed,
                                      detail: "missing: the folder should hold \(NATSFolder.metaName)"))
        }
        var present = Set<Int>()
        for name in names { if let i = NATSSource.index(ofMember: name), i < count { present.insert(i) } }
        if present.count < count {
            let firstMissing = (0..<count).first { !present.contains($0) }!
            let missing = count - present.count
            reports.append(FileReport(path: folder, kind: nats.kind,
                                      rule: "known folder: \(count) architecture files + meta", outcome: .failed,
                                      detail: "incomplete: \(missing) of \(count) files missing (first: "
                                          + String(format: "%06d", firstMissing) + ".pickle.pbz2); \(present.count) present"))
        }
        return reports
    }

    /// One `verify` run: the entries of a manifest file (paths relative to `root`, by default the
    /// manifest's folder), then `paths`. Throws, before checking anything, when the manifest cannot
    /// be read or parsed or has no entries, or when a path does not exist.
    public func verify(manifestFile: String?, root: String? = nil, paths: [String]) throws -> [FileReport] {
        var reports = [FileReport]()
        var manifest: Manifest?
        if let manifestFile {
            let text: String
            do { text = try String(contentsOfFile: manifestFile, encoding: .utf8) } catch {
                throw IOError.malformed(path: manifestFile, offset: nil, reason: "cannot read manifest: \(error.localizedDescription)")
            }
            let parsed = try Manifest.parse(text, file: manifestFile)
            if parsed.entries.isEmpty { throw ManifestError.empty(file: manifestFile) }
            manifest = parsed
        }
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            throw IOError.malformed(path: path, offset: nil, reason: "no such file or directory")
        }
        if let manifest, let manifestFile {
            let folder = (manifestFile as NSString).deletingLastPathComponent
            let base = root ?? (folder.isEmpty ? "." : folder)
            reports += verify(manifest: manifest, root: base)
        }
        if !paths.isEmpty { reports += verify(paths: paths) }
        return reports
    }

    /// Verifies every entry of a manifest; entry paths are relative to `root`.
    public func verify(manifest: Manifest, root: String) -> [FileReport] {
        let entries = manifest.entries
        let rootPrefix = root.isEmpty || root == "." ? "" : (root.hasSuffix("/") ? root : root + "/")
        let paths = entries.map { $0.path.hasPrefix("/") ? $0.path : rootPrefix + $0.path }
        var reports = run(count: entries.count, sizeOf: { FileWalker.size(paths[$0]) }) { hasher, i, progress in
            FileRules.check(entry: entries[i], path: paths[i], hasher: hasher, progress: progress)
        }
        // Swapped files: a mismatching file whose digest is another entry's expected one.
        var byDigest = [String: String]()
        for e in entries { byDigest[e.digest] = e.path }
        for i in reports.indices where reports[i].outcome == .failed {
            let computed = entries[i].algorithm == .md5 ? reports[i].md5 : reports[i].sha256
            if let c = computed, let other = byDigest[c], other != entries[i].path {
                reports[i].detail += "; its content is what the manifest expects for \(other) (files swapped or renamed?)"
            }
        }
        return reports
    }

    private func run(count: Int, sizeOf: @escaping @Sendable (Int) -> Int64,
                     _ check: @escaping @Sendable (FileHasher, Int, @escaping @Sendable (Int64) -> Void) -> FileReport)
        -> [FileReport] {
        let total = (0..<count).reduce(Int64(0)) { $0 + max(sizeOf($1), 0) }
        let progress = showProgress ? ByteProgress("verify", totalBytes: total) : nil
        let reports = BoundedParallel.map(count: count, jobs: jobs, makeState: { FileHasher() }) { hasher, i in
            let counted = Locked<Int64>(0)
            let report = check(hasher, i) { n in counted.withLock { $0 += n }; progress?.advance(bytes: n) }
            // Files not (fully) read still count as done.
            let rest = max(sizeOf(i), 0) - counted.current
            if rest > 0 { progress?.advance(bytes: rest) }
            return report
        }
        progress?.finish()
        return reports
    }
}

/// Expands command-line paths into files.
enum FileWalker {
    struct NotFound: Error, CustomStringConvertible {
        let path: String
        let errno: Int32
        var description: String { "\(path): \(String(cString: strerror(errno)))" }
    }

    static func expand(_ path: String) -> Result<[String], Error> {
        var st = stat()
        guard stat(path, &st) == 0 else { return .failure(NotFound(path: path, errno: errno)) }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { return .success([path]) }
        var out = [String]()
        walk(path, into: &out)
        return .success(out)
    }

    private static func walk(_ dir: String, into out: inout [String]) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for name in names.sorted() where !isTemporary(name) {
            let p = dir.hasSuffix("/") ? dir + name : dir + "/" + name
            var st = stat()
            guard lstat(p, &st) == 0 else { out.append(p); continue }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: walk(p, into: &out)
            case S_IFLNK:
                // A link to a file is checked; a link to a directory is not followed (loops).
                var target = stat()
                if stat(p, &target) != 0 || (target.st_mode & S_IFMT) != S_IFDIR { out.append(p) }
            default: out.append(p)
            }
        }
    }

    /// AtomicOutput's in-progress files are not user data.
    static func isTemporary(_ name: String) -> Bool { name.hasPrefix(".") && name.contains(".partial-") }

    static func size(_ path: String) -> Int64 {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : -1
    }
}
