import Checksums

/// One thing wrong in an archive.
public struct ArchiveProblem: Sendable, CustomStringConvertible, Equatable {
    public let file: String
    /// The run concerned, if the problem is about one run.
    public let run: RunKey?
    public let message: String

    public var description: String { "\(file): " + (run.map { "\($0): " } ?? "") + message }
}

/// Recomputes what an archive promises about itself.
public enum ArchiveIntegrity {
    /// Reads every run's byte range of `/blob` (decompressing it), recomputes its
    /// SHA-256 and compares it with the stored one; checks that every tensor row
    /// lies inside its run and matches its shape, and that the pack finished.
    /// An empty result means the archive is intact. Throws only if the file cannot
    /// be opened as an archive at all.
    public static func verify(path: String, progress: ((Int, Int) -> Void)? = nil) throws -> [ArchiveProblem] {
        let archive = try ArchiveReader(path: path)
        var problems: [ArchiveProblem] = []
        if !archive.isComplete {
            problems.append(ArchiveProblem(file: path, run: nil,
                                           message: "the pack was interrupted (run the same pack-archive command again to finish it)"))
        }
        var seen: Set<RunKey> = []
        for (i, run) in archive.runs.enumerated() {
            progress?(i, archive.runs.count)
            let file = archive.partPaths[run.part]
            if !seen.insert(run.key).inserted {
                problems.append(ArchiveProblem(file: file, run: run.key, message: "stored twice"))
            }
            do {
                let bytes = try archive.runBytes(run)
                let digest = SHA256.hash(bytes)
                if digest.bytes != run.sha256 {
                    problems.append(ArchiveProblem(file: file, run: run.key,
                                                   message: "SHA-256 of its tensor bytes is \(digest.hex), stored \(Digest(bytes: run.sha256).hex)"))
                }
                var end = 0
                for t in try archive.tensorIndex(run) {
                    if t.count != t.shape.reduce(1, *) * t.dtype.byteSize || t.offset < end || t.offset + t.count > bytes.count {
                        problems.append(ArchiveProblem(file: file, run: run.key,
                                                       message: "tensor \(t.name) (\(t.dtype) \(t.shape), \(t.count) bytes at \(t.offset)) does not fit the run's \(bytes.count) bytes"))
                    }
                    end = t.offset + t.count
                }
            } catch {
                problems.append(ArchiveProblem(file: file, run: run.key, message: "unreadable: \(error)"))
            }
        }
        return problems
    }
}
