import HDF5
import Tensors
import NASCore

/// Identifies one run: architecture, training length, dataset, seed.
public struct ArchiveRunKey: Hashable, Sendable, CustomStringConvertible {
    public var archIndex: Int
    /// Epochs: 12 (`less`) or 200 (`full`).
    public var hp: Int
    public var dataset: String
    public var seed: Int

    public init(archIndex: Int, hp: Int, dataset: String, seed: Int) {
        self.archIndex = archIndex
        self.hp = hp
        self.dataset = dataset
        self.seed = seed
    }

    /// The schedule the stored epoch count names (nil for a damaged count below 1).
    public var schedule: Schedule? { hp > 0 ? Schedule(epochs: hp) : nil }

    public var description: String { "arch \(archIndex) hp \(schedule?.rawValue ?? String(hp)) dataset \(dataset) seed \(seed)" }
}

/// Where one run lives (a row of `/runs`).
public struct RunInfo: Sendable {
    public let key: ArchiveRunKey
    /// Row in its file's `/runs` tables.
    public let row: Int
    /// Which file of a merged (external-link) archive holds it; 0 for a single file.
    public let part: Int
    public let byteOffset: Int
    public let byteCount: Int
    public let tensorStart: Int
    public let tensorCount: Int
    public let sha256: [UInt8]
    public let source: Int
    public let resultsStart: Int
    public let resultsEnd: Int
}

/// One packed input file.
public struct SourceInfo: Sendable {
    public let name: String
    public let size: Int64
    public let md5: [UInt8]
    public let archIndex: Int
    public let archStr: String
}

/// Reads a weight archive: one packed file, or a master file of external links
/// to shards (what `merge-archive --links` writes).
///
///     let archive = try ArchiveReader(path: "nb201-weights.h5")
///     let sd = try archive.stateDict(arch: 1234, dataset: "cifar10", seed: 777, schedule: .twoHundred)
///
/// Opening reads the run and source tables (a few MB for the full benchmark);
/// each state dict is then one contiguous read of `/blob` plus its tensor rows.
public final class ArchiveReader {
    public let path: String
    public private(set) var runs: [RunInfo] = []
    public private(set) var sources: [SourceInfo] = []
    /// Inputs skipped with --keep-going, as recorded (JSON lines).
    public private(set) var problems: [String] = []
    /// Files holding the data: [path] for a single archive, the shards for a master.
    public let partPaths: [String]
    public let isMaster: Bool
    /// True when the pack that wrote each part finished (not interrupted).
    public private(set) var isComplete = true
    /// Whose weight files the archive holds (every part the same).
    public private(set) var files: WeightFiles = .nasBench201
    /// The search space of every run's `archIndex`.
    public var searchSpace: SearchSpaceKind { files.space }
    private var parts: [Part] = []
    private var index: [ArchiveRunKey: Int] = [:]
    private var archByString: [String: Int] = [:]

    final class Part {
        let file: File
        let blob: Dataset
        let names: [String]
        let progress: [Int]
        let sourceBase: Int
        init(file: File, blob: Dataset, names: [String], progress: [Int], sourceBase: Int) {
            self.file = file; self.blob = blob; self.names = names; self.progress = progress; self.sourceBase = sourceBase
        }
        /// Datasets opened once (a fetch reads six tensor columns; reopening each costs more than reading).
        private var opened: [String: Dataset] = [:]
        func dataset(_ name: String) throws -> Dataset {
            if let d = opened[name] { return d }
            let d = try file.openDataset(name)
            opened[name] = d
            return d
        }
        func field(_ f: ArchiveLayout.Field) -> Int { progress[f.rawValue] }
        func column<T: TensorScalar>(_ name: String, _ type: T.Type, start: Int = 0, count: Int) throws -> [T] {
            guard count > 0 else { return [] }
            return try dataset(name).read(as: type, start: [start], count: [count])
        }
        func rows(_ name: String, width: Int, start: Int = 0, count: Int) throws -> [UInt8] {
            guard count > 0 else { return [] }
            return try dataset(name).read(as: UInt8.self, start: [start, 0], count: [count, width])
        }
        func text(_ name: String, start: Int = 0, count: Int) throws -> [UInt8] {
            guard count > 0 else { return [] }
            return try dataset(name).read(as: UInt8.self, start: [start], count: [count])
        }
    }

    public init(path: String) throws {
        self.path = path
        let file = try File.open(path, mode: .readOnly)
        let schema = try file.attribute("nasdata_schema")
        switch schema {
        case .string(ArchiveLayout.schemaName)?:
            isMaster = false
            partPaths = [path]
            try addPart(file: file, path: path)
        case .string(ArchiveLayout.masterSchemaName)?:
            isMaster = true
            guard case .strings(let files)? = try file.attribute("shard_files") else {
                throw ArchiveError.badArchive(path: path, reason: "master archive without a shard_files attribute")
            }
            let dir = path.lastIndex(of: "/").map { String(path[...$0]) } ?? ""
            partPaths = files.map { $0.hasPrefix("/") ? $0 : dir + $0 }
            file.close()
            for p in partPaths { try addPart(file: try File.open(p, mode: .readOnly), path: p) }
        default:
            throw ArchiveError.badArchive(path: path, reason: "not a weight archive (nasdata_schema is \(schema.map { "\($0)" } ?? "missing"), expected \(ArchiveLayout.schemaName))")
        }
    }

    deinit { for p in parts { p.file.close() } }

    private func addPart(file: File, path: String) throws {
        guard case .string(ArchiveLayout.schemaName)? = try file.attribute("nasdata_schema") else {
            throw ArchiveError.badArchive(path: path, reason: "not a weight archive shard")
        }
        let partFiles = try ArchiveLayout.weightFiles(of: file, path: path)
        if parts.isEmpty {
            files = partFiles
        } else if partFiles != files {
            throw ArchiveError.badArchive(path: path, reason: "holds \(partFiles), but \(partPaths[0]) holds \(files)")
        }
        let progress = try file.openDataset(ArchiveLayout.progress).read(as: Int64.self).map(Int.init)
        guard progress.count >= ArchiveLayout.Field.allCases.count else {
            throw ArchiveError.badArchive(path: path, reason: "progress record has \(progress.count) fields")
        }
        let namesText = try file.openDataset(ArchiveLayout.tensorNamesText)
            .read(as: UInt8.self, start: [0], count: [progress[ArchiveLayout.Field.tensorNamesBytes.rawValue]])
        let names = namesText.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
            .map { String(decoding: $0, as: UTF8.self) }
        let part = Part(file: file, blob: try file.openDataset(ArchiveLayout.blob), names: names, progress: progress,
                        sourceBase: sources.count)
        let partIndex = parts.count
        parts.append(part)
        if part.field(.complete) == 0 { isComplete = false }

        // Sources.
        let ns = part.field(.sources)
        let archIndex = try part.column("sources/arch_index", Int32.self, count: ns)
        let sizes = try part.column("sources/size", Int64.self, count: ns)
        let nameEnd = try part.column("sources/name_end", Int64.self, count: ns)
        let archEnd = try part.column("sources/arch_str_end", Int64.self, count: ns)
        let md5 = try part.rows(ArchiveLayout.sourceMD5, width: 16, count: ns)
        let nameText = try part.text(ArchiveLayout.sourceNamesText, count: part.field(.sourceNameBytes))
        let archText = try part.text(ArchiveLayout.sourceArchText, count: part.field(.sourceArchBytes))
        for i in 0..<ns {
            let n0 = i == 0 ? 0 : Int(nameEnd[i - 1]), a0 = i == 0 ? 0 : Int(archEnd[i - 1])
            let info = SourceInfo(name: String(decoding: nameText[n0..<Int(nameEnd[i])], as: UTF8.self), size: sizes[i],
                                  md5: Array(md5[(16 * i)..<(16 * i + 16)]), archIndex: Int(archIndex[i]),
                                  archStr: String(decoding: archText[a0..<Int(archEnd[i])], as: UTF8.self))
            sources.append(info)
            archByString[info.archStr] = info.archIndex
        }

        // Runs.
        let nr = part.field(.runs)
        let arch = try part.column("runs/arch_index", Int32.self, count: nr)
        let hp = try part.column("runs/hp", Int16.self, count: nr)
        let dataset = try part.column("runs/dataset", UInt8.self, count: nr)
        let seed = try part.column("runs/seed", Int32.self, count: nr)
        let offset = try part.column("runs/byte_offset", Int64.self, count: nr)
        let count = try part.column("runs/byte_count", Int64.self, count: nr)
        let tstart = try part.column("runs/tensor_start", Int64.self, count: nr)
        let tcount = try part.column("runs/tensor_count", Int32.self, count: nr)
        let source = try part.column("runs/source", Int32.self, count: nr)
        let resultsEnd = try part.column("runs/results_end", Int64.self, count: nr)
        let sha = try part.rows(ArchiveLayout.runSHA256, width: 32, count: nr)
        for i in 0..<nr {
            guard Int(dataset[i]) < ArchiveLayout.datasetNames.count else {
                throw ArchiveError.badArchive(path: path, reason: "run \(i) has dataset code \(dataset[i])")
            }
            let key = ArchiveRunKey(archIndex: Int(arch[i]), hp: Int(hp[i]), dataset: ArchiveLayout.datasetNames[Int(dataset[i])],
                             seed: Int(seed[i]))
            let info = RunInfo(key: key, row: i, part: partIndex, byteOffset: Int(offset[i]), byteCount: Int(count[i]),
                               tensorStart: Int(tstart[i]), tensorCount: Int(tcount[i]),
                               sha256: Array(sha[(32 * i)..<(32 * i + 32)]), source: part.sourceBase + Int(source[i]),
                               resultsStart: i == 0 ? 0 : Int(resultsEnd[i - 1]), resultsEnd: Int(resultsEnd[i]))
            index[key] = runs.count
            runs.append(info)
        }

        let problemText = try part.text(ArchiveLayout.problemsText, count: part.field(.problemsBytes))
        problems += problemText.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The canonical index (in the archive's search space) of an architecture index or string:
    /// a string as recorded in the archive, or any spelling of a cell of that space. `space`, if
    /// given, must be the archive's.
    public func archIndex(_ arch: ArchitectureSelector, space: SearchSpaceKind? = nil) throws -> Int {
        if let space, space != searchSpace {
            throw ArchiveError.runNotFound(path: path, query: "of the \(space.rawValue) space: the archive holds \(files)")
        }
        if case .string(let s) = arch, let i = archByString[s] { return i }
        do {
            return try arch.select(space: searchSpace).index
        } catch {
            throw ArchiveError.runNotFound(path: path, query: "for architecture \(arch) (\(files)): \(error)")
        }
    }

    /// The run of `arch` on `dataset` under `schedule` with `seed` (nil: the lowest seed the archive has for it).
    public func run(arch: ArchitectureSelector, dataset: String, seed: Int?, schedule: Schedule) throws -> RunInfo {
        let archIndex = try archIndex(arch)
        let chosen = seed ?? runs.filter { $0.key.archIndex == archIndex && $0.key.dataset == dataset && $0.key.hp == schedule.epochs }
            .map(\.key.seed).min()
        let key = ArchiveRunKey(archIndex: archIndex, hp: schedule.epochs, dataset: dataset, seed: chosen ?? 0)
        guard chosen != nil, let i = index[key] else {
            let have = runs.filter { $0.key.archIndex == key.archIndex }
                .map { "\($0.key.dataset)/\($0.key.seed)/hp \($0.key.schedule?.rawValue ?? String($0.key.hp))" }
            let hint = have.isEmpty ? "architecture \(key.archIndex) is not in this archive"
                : "this architecture has: " + have.joined(separator: ", ")
            let query = chosen == nil ? "arch \(archIndex) hp \(schedule.rawValue) dataset \(dataset) (any seed)" : "\(key)"
            throw ArchiveError.runNotFound(path: path, query: "\(query) (\(hint))")
        }
        return runs[i]
    }

    public func stateDict(arch: ArchitectureSelector, dataset: String, seed: Int?, schedule: Schedule) throws -> StateDict {
        try stateDict(of: try run(arch: arch, dataset: dataset, seed: seed, schedule: schedule))
    }

    /// The run's stored bytes (its contiguous range of `/blob`, alignment padding included).
    public func runBytes(_ run: RunInfo) throws -> [UInt8] {
        let part = parts[run.part]
        guard run.byteCount > 0 else { return [] }
        try checkByteRange(run)
        let words = try part.blob.read(as: Int32.self, start: [run.byteOffset / ArchiveLayout.wordSize],
                                       count: [run.byteCount / ArchiveLayout.wordSize])
        return words.withUnsafeBytes { Array($0) }
    }

    /// Throws unless the run's byte range is word-aligned and inside its part's blob.
    func checkByteRange(_ run: RunInfo) throws {
        let part = parts[run.part]
        guard run.byteOffset >= 0, run.byteOffset % ArchiveLayout.wordSize == 0, run.byteCount % ArchiveLayout.wordSize == 0,
              run.byteOffset + run.byteCount <= part.field(.blobBytes) else {
            throw ArchiveError.badArchive(path: part.file.filePath, reason: "run \(run.row) byte range \(run.byteOffset)+\(run.byteCount) is outside the blob")
        }
    }

    /// Part `part`'s `/blob`, chunk by chunk (nil for a layout nasdata does not write).
    func blobStream(part: Int) -> BlobChunkStream? {
        BlobChunkStream(blob: parts[part].blob, byteCount: parts[part].field(.blobBytes))
    }

    /// Tensor names, dtypes, shapes and offsets of one run, in state-dict order.
    public func tensorIndex(_ run: RunInfo) throws -> [(name: String, dtype: DType, shape: [Int], offset: Int, count: Int)] {
        let part = parts[run.part]
        let n = run.tensorCount, s = run.tensorStart
        guard n > 0 else { return [] }
        let names = try part.column("tensors/name", Int32.self, start: s, count: n)
        let dtypes = try part.column("tensors/dtype", UInt8.self, start: s, count: n)
        let ndims = try part.column("tensors/ndim", UInt8.self, start: s, count: n)
        let offsets = try part.column("tensors/byte_offset", Int64.self, start: s, count: n)
        let counts = try part.column("tensors/byte_count", Int64.self, start: s, count: n)
        let shapes = try part.dataset(ArchiveLayout.tensorShape)
            .read(as: Int64.self, start: [s, 0], count: [n, ArchiveLayout.maxRank])
        var out: [(name: String, dtype: DType, shape: [Int], offset: Int, count: Int)] = []
        out.reserveCapacity(n)
        for i in 0..<n {
            let file = part.file.filePath
            guard Int(names[i]) < part.names.count, Int(dtypes[i]) < ArchiveLayout.dtypeNames.count,
                  let dtype = DType(rawValue: ArchiveLayout.dtypeNames[Int(dtypes[i])]), Int(ndims[i]) <= ArchiveLayout.maxRank else {
                throw ArchiveError.badArchive(path: file, reason: "tensor row \(s + i) has an invalid name, dtype or rank")
            }
            let shape = (0..<Int(ndims[i])).map { Int(shapes[i * ArchiveLayout.maxRank + $0]) }
            out.append((part.names[Int(names[i])], dtype, shape, Int(offsets[i]), Int(counts[i])))
        }
        return out
    }

    public func stateDict(of run: RunInfo) throws -> StateDict {
        let bytes = try runBytes(run)
        var sd = StateDict()
        for t in try tensorIndex(run) {
            let expected = t.shape.reduce(1, *) * t.dtype.byteSize
            guard t.count == expected, t.offset >= 0, t.offset + t.count <= bytes.count else {
                throw ArchiveError.badArchive(path: parts[run.part].file.filePath,
                                              reason: "tensor \(t.name) of run \(run.row): \(t.count) bytes at \(t.offset) do not fit shape \(t.shape) in a \(bytes.count)-byte run")
            }
            let slice = t.count == 0 ? [] : [UInt8](unsafeUninitializedCapacity: t.count) { buffer, initialized in
                bytes.withUnsafeBytes { src in
                    buffer.baseAddress!.update(from: src.baseAddress!.assumingMemoryBound(to: UInt8.self) + t.offset, count: t.count)
                }
                initialized = t.count
            }
            sd[t.name] = Tensor(dtype: t.dtype, shape: t.shape, bytes: slice)
        }
        return sd
    }

    /// The run's non-weight results as stored (UTF-8 JSON).
    public func resultsJSON(_ run: RunInfo) throws -> String {
        let part = parts[run.part]
        let bytes = try part.text(ArchiveLayout.resultsText, start: run.resultsStart, count: run.resultsEnd - run.resultsStart)
        return String(decoding: bytes, as: UTF8.self)
    }

    public func source(of run: RunInfo) -> SourceInfo { sources[run.source] }

    /// Bytes of tensor data in use (all parts).
    public var blobBytes: Int { parts.reduce(0) { $0 + $1.field(.blobBytes) } }
    /// Settings recorded in the (first) file.
    public func attribute(_ name: String) throws -> AttributeValue? { try parts.first?.file.attribute(name) }
    public var inputsDone: Int { parts.reduce(0) { $0 + $1.field(.inputsDone) } }
}
