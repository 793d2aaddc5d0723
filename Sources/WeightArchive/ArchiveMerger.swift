#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HDF5
import Compression

/// Joins shard archives (`pack-archive --shard K/N`) into one.
public enum ArchiveMerger {
    public enum Mode: Sendable { case copy, links }

    public struct Report: Sendable {
        public var shards = 0
        public var runs = 0
        public var sources = 0
        public var problems = 0
        public var json: String {
            ArchiveJSON.object([("shards", .int(Int64(shards))), ("runs", .int(Int64(runs))),
                             ("sources", .int(Int64(sources))), ("problems", .int(Int64(problems)))])
        }
    }

    /// Checks the shards fit together: each finished, same N, distinct K, no
    /// architecture twice. Missing shards are allowed only with `allowPartial`.
    static func check(_ shards: [(String, ArchiveReader)], allowPartial: Bool) throws {
        var seenK: [Int: String] = [:]
        var count: Int?
        var archs: [Int: String] = [:]
        for (path, reader) in shards {
            if let (firstPath, first) = shards.first, reader.files != first.files {
                throw ArchiveError.badArchive(path: path, reason: "holds \(reader.files), but \(firstPath) holds \(first.files); an archive holds one benchmark and search space")
            }
            guard reader.isComplete else {
                throw ArchiveError.badArchive(path: path, reason: "this shard's pack did not finish (run its pack-archive command again first)")
            }
            guard !reader.isMaster else { throw ArchiveError.badArchive(path: path, reason: "is a master file; merge the shards it links") }
            var shard = Shard.all
            if case .string(let s)? = try reader.attribute("shard") { shard = try Shard(parsing: s) }
            if let count, count != shard.count {
                throw ArchiveError.badArchive(path: path, reason: "is shard \(shard) but the others are k/\(count)")
            }
            count = shard.count
            if let other = seenK[shard.index] {
                throw ArchiveError.badArchive(path: path, reason: "is shard \(shard), like \(other)")
            }
            seenK[shard.index] = path
            for s in reader.sources {
                if let other = archs[s.archIndex] {
                    throw ArchiveError.badArchive(path: path, reason: "architecture \(s.archIndex) is also in \(other)")
                }
                archs[s.archIndex] = path
            }
        }
        if let count, !allowPartial, seenK.count != count {
            let missing = (0..<count).filter { seenK[$0] == nil }.map { "\($0)/\(count)" }
            throw ArchiveError.badArchive(path: shards.first!.0, reason: "shards missing: \(missing.joined(separator: ", ")) (pass --allow-partial to merge anyway)")
        }
    }

    public static func merge(shards: [String], output: String, mode: Mode, allowPartial: Bool = false,
                             workers: Int = ChunkCompressor.defaultWorkers) throws -> Report {
        guard !shards.isEmpty else { throw ArchiveError.invalidArgument("merge-archive needs at least one shard") }
        let readers = try shards.map { ($0, try ArchiveReader(path: $0)) }
        try check(readers, allowPartial: allowPartial)
        var report = Report()
        report.shards = shards.count
        switch mode {
        case .links:
            // A master file: one external link per shard plus the list the reader follows.
            let outDir = output.lastIndex(of: "/").map { String(output[...$0]) } ?? ""
            let names = shards.map { relative($0, to: outDir) }
            try File.writeAtomically(to: output) { file in
                try file.setAttribute("nasdata_schema", .string(ArchiveLayout.masterSchemaName))
                try file.setAttribute("nasdata_schema_version", .int(ArchiveLayout.masterSchemaVersion))
                try file.setAttribute("shard_files", .strings(names))
                let group = try file.createGroup("shards")
                for (i, name) in names.enumerated() {
                    try group.createExternalLink(String(format3(i)), file: name, path: "/")
                }
            }
            for (_, r) in readers { report.runs += r.runs.count; report.sources += r.sources.count; report.problems += r.problems.count }
        case .copy:
            // Re-packs every run through the normal writer (bounded memory: one source at a time).
            let temp = output + ".merging"
            unlink(temp)
            var settings = PackSettings()
            if case .int(let v)? = try readers[0].1.attribute("chunk_bytes") { settings.chunkBytes = Int(v) }
            if case .int(let v)? = try readers[0].1.attribute("deflate_level") { settings.deflateLevel = Int(v) }
            if case .string(let v)? = try readers[0].1.attribute("deflate_strategy"), let s = Deflate.Strategy(rawValue: v) { settings.strategy = s }
            settings.inputSignature = "merge:" + shards.joined(separator: ",")
            settings.files = readers[0].1.files
            settings.workers = workers
            let writer = try ArchiveWriter.openOrCreate(temp, settings: settings)
            do {
                var pending = 0
                for (_, reader) in readers {
                    var bySource: [Int: [RunInfo]] = [:]
                    for run in reader.runs { bySource[run.source, default: []].append(run) }
                    for (i, source) in reader.sources.enumerated() {
                        var runs: [RunRecord] = []
                        for run in bySource[i] ?? [] {
                            let sd = try reader.stateDict(of: run)
                            runs.append(RunRecord(hp: run.key.hp, dataset: run.key.dataset, seed: run.key.seed,
                                                  stateDict: sd, resultsJSON: Array(try reader.resultsJSON(run).utf8)))
                            pending += run.byteCount
                        }
                        try writer.add(SourceRecord(name: source.name, size: source.size, md5: source.md5,
                                                    archIndex: source.archIndex, archStr: source.archStr, runs: runs))
                        report.runs += runs.count
                        report.sources += 1
                        if pending >= 256 << 20 { try writer.commit(inputsDone: 0); pending = 0 }
                    }
                    for line in reader.problems {
                        writer.addProblem(raw: line)
                        report.problems += 1
                    }
                }
                try writer.finish(inputsDone: 0)
            } catch {
                writer.close()
                unlink(temp)
                throw error
            }
            guard rename(temp, output) == 0 else {
                throw ArchiveError.badArchive(path: output, reason: "cannot rename \(temp) into place: \(String(cString: strerror(errno)))")
            }
        }
        return report
    }

    private static func format3(_ i: Int) -> String {
        let s = String(i)
        return String(repeating: "0", count: max(0, 3 - s.count)) + s
    }

    /// `path` relative to the output's directory when it lies below it (so the
    /// master and its shards can move together), else absolute.
    private static func relative(_ path: String, to outDir: String) -> String {
        let shard = realPath(path)
        let dir = realPath(outDir.isEmpty ? "." : outDir)
        let prefix = dir.hasSuffix("/") ? dir : dir + "/"
        return shard.hasPrefix(prefix) ? String(shard.dropFirst(prefix.count)) : shard
    }

    private static func realPath(_ path: String) -> String {
        guard let p = realpath(path, nil) else { return path }
        defer { free(p) }
        return String(cString: p)
    }
}
