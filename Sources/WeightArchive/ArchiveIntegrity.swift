import Checksums
import Foundation
import NASCore

/// One thing wrong in an archive.
public struct ArchiveProblem: Sendable, CustomStringConvertible, Equatable {
    public let file: String
    /// The run concerned, if the problem is about one run.
    public let run: ArchiveRunKey?
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
    ///
    /// The blob is read once, front to back, decompressed on `workers` threads
    /// (`BlobChunkStream`), and each run's hash is fed from the chunks it spans.
    public static func verify(path: String, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                              progress: ((Int, Int) -> Void)? = nil) throws -> [ArchiveProblem] {
        let archive = try ArchiveReader(path: path)
        var problems: [(order: Int, problem: ArchiveProblem)] = []
        if !archive.isComplete {
            problems.append((-1, ArchiveProblem(file: path, run: nil,
                                                message: "the pack was interrupted (run the same pack-archive command again to finish it)")))
        }
        var seen: Set<ArchiveRunKey> = []
        for (i, run) in archive.runs.enumerated() where !seen.insert(run.key).inserted {
            problems.append((i, ArchiveProblem(file: archive.partPaths[run.part], run: run.key, message: "stored twice")))
        }
        var checked = 0
        func finish(_ i: Int, _ run: RunInfo, digest: Result<[UInt8], Error>) {
            checked += 1
            progress?(checked, archive.runs.count)
            for message in check(run, digest: digest, archive: archive) {
                problems.append((i, ArchiveProblem(file: archive.partPaths[run.part], run: run.key, message: message)))
            }
        }
        for part in archive.partPaths.indices {
            let runs = archive.runs.enumerated().filter { $0.element.part == part }
            guard let stream = archive.blobStream(part: part) else {
                for (i, run) in runs { finish(i, run, digest: Result { SHA256.hash(try archive.runBytes(run)).bytes }) }
                continue
            }
            try hashRuns(runs.sorted { $0.element.byteOffset < $1.element.byteOffset }, stream: stream,
                         archive: archive, workers: max(1, workers), finish: finish)
        }
        // Run order, as a run-by-run check would list them (ties keep the order found).
        return problems.enumerated().sorted { ($0.element.order, $0.offset) < ($1.element.order, $1.offset) }.map(\.element.problem)
    }

    /// Feeds each run's SHA-256 from the chunks its byte range spans (runs sorted by offset;
    /// overlapping ranges, which only a damaged archive has, are each fed in full).
    private static func hashRuns(_ runs: [(offset: Int, element: RunInfo)], stream: BlobChunkStream, archive: ArchiveReader, workers: Int,
                                 finish: (Int, RunInfo, Result<[UInt8], Error>) -> Void) throws {
        struct Active { let index: Int; let run: RunInfo; let sha = SHA256(); var failure: Error? }
        var active: [Active] = []
        var next = 0
        func activate(upTo end: Int) {
            while next < runs.count && runs[next].element.byteOffset < end {
                let (i, run) = runs[next]
                next += 1
                if run.byteCount == 0 { finish(i, run, .success(SHA256.hash([]).bytes)); continue }
                do {
                    try archive.checkByteRange(run) // the reader's own check, as `runBytes` makes it
                    active.append(Active(index: i, run: run))
                } catch {
                    finish(i, run, .failure(error))
                }
            }
        }
        try stream.forEach(workers: workers) { start, chunk in
            let end = start + stream.chunkBytes
            activate(upTo: end)
            for k in active.indices {
                let run = active[k].run
                let lo = max(run.byteOffset, start), hi = min(run.byteOffset + run.byteCount, end)
                guard lo < hi else { continue }
                switch chunk {
                case .success(let bytes): bytes.withUnsafeBytes { active[k].sha.update(UnsafeRawBufferPointer(rebasing: $0[(lo - start)..<(hi - start)])) }
                case .failure(let error): if active[k].failure == nil { active[k].failure = error }
                }
            }
            active.removeAll { a in
                guard a.run.byteOffset + a.run.byteCount <= end else { return false }
                finish(a.index, a.run, a.failure.map { .failure($0) } ?? .success(a.sha.finalize().bytes))
                return true
            }
        }
        activate(upTo: Int.max) // runs past the last chunk: empty ones, or outside the blob
        for a in active {
            finish(a.index, a.run, .failure(ArchiveError.badArchive(path: archive.partPaths[a.run.part], reason: "the blob ended inside run \(a.run.row)")))
        }
    }

    /// What is wrong with one run, given its recomputed digest.
    private static func check(_ run: RunInfo, digest: Result<[UInt8], Error>, archive: ArchiveReader) -> [String] {
        var messages: [String] = []
        switch digest {
        case .failure(let error): return ["unreadable: \(error)"]
        case .success(let d) where d != run.sha256:
            messages.append("SHA-256 of its tensor bytes is \(Digest(bytes: d).hex), stored \(Digest(bytes: run.sha256).hex)")
        default: break
        }
        do {
            var end = 0
            for t in try archive.tensorIndex(run) {
                if t.count != t.shape.reduce(1, *) * t.dtype.byteSize || t.offset < end || t.offset + t.count > run.byteCount {
                    messages.append("tensor \(t.name) (\(t.dtype) \(t.shape), \(t.count) bytes at \(t.offset)) does not fit the run's \(run.byteCount) bytes")
                }
                end = t.offset + t.count
            }
        } catch {
            messages.append("unreadable: \(error)")
        }
        return messages
    }
}
