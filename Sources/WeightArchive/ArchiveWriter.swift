#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Checksums
import HDF5
import NASDataIO
import Tensors
import Compression

/// Settings fixed when an archive is created (a resumed pack must use the same ones).
public struct PackSettings: Equatable, Sendable {
    public var chunkBytes: Int = 1 << 20
    public var deflateLevel: Int = 1
    public var strategy: Deflate.Strategy = .huffmanOnly
    public var shard: Shard = .all
    /// Describes the inputs (paths); a resume with other inputs is refused.
    public var inputSignature: String = ""
    /// Input bytes between durable points (sizes the disk space reserved ahead).
    public var batchBytes: Int = 256 << 20
    public var workers: Int = ChunkCompressor.defaultWorkers
    /// Whose weight files (and so which search space) the archive holds.
    public var files: WeightFiles = .nasBench201

    public init() {}

    public static func == (a: PackSettings, b: PackSettings) -> Bool {
        a.chunkBytes == b.chunkBytes && a.deflateLevel == b.deflateLevel && a.strategy == b.strategy
            && a.shard == b.shard && a.inputSignature == b.inputSignature && a.files == b.files
    }
}

/// Appends runs to an archive file and makes them durable in batches.
///
/// Durable point (`commit`): every finished blob chunk and the partial tail chunk
/// are written, pending table rows are written, the progress record is rewritten
/// in place, then `H5Fflush`. A killed pack reopens the file, reads the progress
/// record, cuts every table back to it and continues with input number
/// `inputsDone`; anything written after the last durable point is redone.
public final class ArchiveWriter {
    public let path: String
    public let settings: PackSettings
    let file: File
    private let compressor: ChunkCompressor
    private let blob: BlobAppender
    private let progress: Dataset
    private var runColumns: [String: Column] = [:]
    private var tensorColumns: [String: Column] = [:]
    private var sourceColumns: [String: Column] = [:]
    private var texts: [String: Column] = [:]
    private var runSHA: Column
    private var tensorShape: Column
    private var sourceMD5: Column
    private var nameIDs: [String: Int32] = [:]
    private var nameCount = 0
    private var problemCount = 0
    private var space: SpaceReservation
    /// Architecture indices already packed (duplicate detection).
    public private(set) var packedArchs: Set<Int> = []
    /// Inputs fully handled (packed or skipped), in input order, as of the last `commit`.
    public private(set) var inputsDone: Int
    public private(set) var isComplete: Bool

    /// Opens `path` to continue a pack (truncating to its last durable point), or
    /// creates it if it does not exist.
    public static func openOrCreate(_ path: String, settings: PackSettings) throws -> ArchiveWriter {
        if access(path, F_OK) != 0 {
            try createEmpty(path, settings: settings)
        }
        return try ArchiveWriter(resuming: path, settings: settings)
    }

    /// Writes an empty archive (every dataset, a zero progress record) under a fixed
    /// temporary name and renames it into place, so a kill during creation never
    /// leaves an unopenable file at `path`.
    static func createEmpty(_ path: String, settings: PackSettings) throws {
        let creating = path + ".creating"
        unlink(creating)
        try CrashSafeFile.create(creating)
        let file = try File.open(creating, mode: .readWrite)
        do {
            try file.setAttribute("nasdata_schema", .string(ArchiveLayout.schemaName))
            try file.setAttribute("nasdata_schema_version", .int(ArchiveLayout.schemaVersion))
            try file.setAttribute("chunk_bytes", .int(Int64(settings.chunkBytes)))
            try file.setAttribute("deflate_level", .int(Int64(settings.deflateLevel)))
            try file.setAttribute("deflate_strategy", .string(settings.strategy.rawValue))
            try file.setAttribute("shard", .string(settings.shard.description))
            try file.setAttribute("input_signature", .string(settings.inputSignature))
            try file.setAttribute("dataset_names", .strings(ArchiveLayout.datasetNames))
            try file.setAttribute("dtype_names", .strings(ArchiveLayout.dtypeNames))
            try file.setAttribute("benchmark", .string(settings.files.benchmark))
            try file.setAttribute("search_space", .string(settings.files.space.rawValue))
            try file.setAttribute("hp_note", .string(ArchiveLayout.hpNote(settings.files)))
            let words = settings.chunkBytes / ArchiveLayout.wordSize
            try file.createDataset(ArchiveLayout.blob, dtype: .int32, shape: [0], maxShape: [nil],
                                   chunks: [words], shuffle: true, deflate: settings.deflateLevel)
            let progress = try file.createDataset(ArchiveLayout.progress, dtype: .int64,
                                                  shape: [ArchiveLayout.Field.allCases.count])
            try progress.write([Int64](repeating: 0, count: ArchiveLayout.Field.allCases.count))
            try progress.setAttribute("fields", .strings(ArchiveLayout.Field.allCases.map(\.name)))
            for group in ["runs", "tensors", "sources"] { _ = try file.createGroup(group) }
            for (name, dtype) in ArchiveLayout.runColumns + ArchiveLayout.tensorColumns + ArchiveLayout.sourceColumns {
                _ = try Column.create(in: file, name, dtype: dtype)
            }
            _ = try Column.create(in: file, ArchiveLayout.runSHA256, dtype: .uint8, width: 32)
            _ = try Column.create(in: file, ArchiveLayout.tensorShape, dtype: .int64, width: ArchiveLayout.maxRank)
            _ = try Column.create(in: file, ArchiveLayout.sourceMD5, dtype: .uint8, width: 16)
            for name in [ArchiveLayout.resultsText, ArchiveLayout.tensorNamesText, ArchiveLayout.sourceNamesText,
                         ArchiveLayout.sourceArchText, ArchiveLayout.problemsText] {
                _ = try Column.create(in: file, name, dtype: .uint8, chunkRows: 256 << 10)
            }
            try file.flush()
            file.close()
        } catch {
            file.close()
            unlink(creating)
            throw error
        }
        try AtomicOutput.commit(creating, to: path)
    }

    private init(resuming path: String, settings: PackSettings) throws {
        self.path = path
        do {
            // Look before touching: a file that is not ours is never modified.
            let probe = try File.open(path, mode: .readOnly)
            defer { probe.close() }
            guard case .string(ArchiveLayout.schemaName)? = try probe.attribute("nasdata_schema") else {
                throw ArchiveError.badArchive(path: path, reason: "exists and is not a weight archive (nasdata_schema is not \(ArchiveLayout.schemaName)); refusing to overwrite it")
            }
        }
        try CrashSafeFile.fenceUnallocatedTail(path)
        file = try File.open(path, mode: .readWrite)
        var stored = settings
        if case .int(let v)? = try file.attribute("chunk_bytes") { stored.chunkBytes = Int(v) }
        if case .int(let v)? = try file.attribute("deflate_level") { stored.deflateLevel = Int(v) }
        if case .string(let v)? = try file.attribute("deflate_strategy"), let s = Deflate.Strategy(rawValue: v) { stored.strategy = s }
        if case .string(let v)? = try file.attribute("shard") {
            guard v == settings.shard.description else {
                throw ArchiveError.resumeMismatch(path: path, reason: "it was started with shard \(v), not \(settings.shard)")
            }
        }
        if case .string(let v)? = try file.attribute("input_signature"), v != settings.inputSignature {
            throw ArchiveError.resumeMismatch(path: path, reason: "it was started from other inputs (\(v))")
        }
        let files = try ArchiveLayout.weightFiles(of: file, path: path)
        guard files == settings.files else {
            throw ArchiveError.resumeMismatch(path: path, reason: "it holds \(files), not \(settings.files)")
        }
        self.settings = stored
        progress = try file.openDataset(ArchiveLayout.progress)
        let record = try progress.read(as: Int64.self).map(Int.init)
        func field(_ f: ArchiveLayout.Field) -> Int { record[f.rawValue] }

        for (name, dtype) in ArchiveLayout.runColumns {
            runColumns[name] = try Column.open(in: file, name, dtype: dtype, rows: field(.runs))
        }
        for (name, dtype) in ArchiveLayout.tensorColumns {
            tensorColumns[name] = try Column.open(in: file, name, dtype: dtype, rows: field(.tensors))
        }
        for (name, dtype) in ArchiveLayout.sourceColumns {
            sourceColumns[name] = try Column.open(in: file, name, dtype: dtype, rows: field(.sources))
        }
        runSHA = try Column.open(in: file, ArchiveLayout.runSHA256, dtype: .uint8, width: 32, rows: field(.runs))
        tensorShape = try Column.open(in: file, ArchiveLayout.tensorShape, dtype: .int64, width: ArchiveLayout.maxRank,
                                      rows: field(.tensors))
        sourceMD5 = try Column.open(in: file, ArchiveLayout.sourceMD5, dtype: .uint8, width: 16, rows: field(.sources))
        let textRows: [(String, ArchiveLayout.Field)] = [
            (ArchiveLayout.resultsText, .resultsBytes), (ArchiveLayout.tensorNamesText, .tensorNamesBytes),
            (ArchiveLayout.sourceNamesText, .sourceNameBytes), (ArchiveLayout.sourceArchText, .sourceArchBytes),
            (ArchiveLayout.problemsText, .problemsBytes),
        ]
        for (name, f) in textRows { texts[name] = try Column.open(in: file, name, dtype: .uint8, rows: field(f)) }
        // Cut everything written after the last durable point.
        for column in Array(runColumns.values) + Array(tensorColumns.values) + Array(sourceColumns.values)
            + Array(texts.values) + [runSHA, tensorShape, sourceMD5] {
            try column.truncate(toRows: column.committedRows)
        }
        inputsDone = field(.inputsDone)
        isComplete = field(.complete) != 0
        problemCount = field(.problems)
        nameCount = field(.tensorNames)

        let namesBytes = try texts[ArchiveLayout.tensorNamesText]!.dataset.read(as: UInt8.self, start: [0], count: [field(.tensorNamesBytes)])
        for (i, name) in namesBytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast().enumerated() {
            nameIDs[String(decoding: name, as: UTF8.self)] = Int32(i)
        }
        guard nameIDs.count == nameCount else {
            throw ArchiveError.badArchive(path: path, reason: "tensor name list holds \(nameIDs.count) names, progress record says \(nameCount)")
        }
        packedArchs = Set(try sourceColumns["sources/arch_index"]!.dataset.read(as: Int32.self, start: [0], count: [field(.sources)]).map(Int.init))

        let blobSet = try file.openDataset(ArchiveLayout.blob)
        let words = stored.chunkBytes / ArchiveLayout.wordSize
        let usedChunks = (field(.blobBytes) + stored.chunkBytes - 1) / stored.chunkBytes
        if (blobSet.shape.first ?? 0) != usedChunks * words { try blobSet.extend(firstDimensionTo: usedChunks * words) }
        compressor = ChunkCompressor(workers: settings.workers, elementSize: ArchiveLayout.wordSize,
                                     level: stored.deflateLevel, strategy: stored.strategy)
        blob = try BlobAppender(dataset: blobSet, chunkBytes: stored.chunkBytes, compressor: compressor,
                                byteCount: field(.blobBytes))
        space = try SpaceReservation(path: path, ahead: ArchiveWriter.reserveAhead(settings))
    }

    /// Space kept allocated ahead: one batch of input (compressed data is smaller) plus slack.
    static func reserveAhead(_ settings: PackSettings) -> Int64 {
        Int64(settings.batchBytes) + 4 * Int64(settings.chunkBytes) + (1 << 20)
    }

    /// Number of runs in the archive (including ones not yet durable).
    public var runCount: Int { runSHA.rowCount }
    public var blobBytes: Int { blob.byteCount }

    /// Appends every run of one FULL file.
    public func add(_ source: SourceRecord) throws {
        let sourceRow = Int32(sourceColumns["sources/arch_index"]!.rowCount)
        for run in source.runs {
            guard let datasetCode = ArchiveLayout.datasetNames.firstIndex(of: run.dataset) else {
                throw ArchiveError.badInput(member: source.name, reason: "unknown dataset \"\(run.dataset)\"")
            }
            try blob.align(to: 8)
            let runStart = blob.byteCount
            let tensorStart = tensorColumns["tensors/name"]!.rowCount
            // The checksum covers the run's byte range exactly as stored (padding included),
            // so a verifier recomputes it from one read of /blob.
            let sha = run.sha256 == nil ? SHA256() : nil
            blob.hasher = sha
            for (name, tensor) in run.stateDict.entries {
                try blob.align(to: ArchiveLayout.wordSize)
                let offset = blob.byteCount - runStart
                try blob.append(tensor.bytes)
                guard tensor.shape.count <= ArchiveLayout.maxRank else {
                    throw ArchiveError.badInput(member: source.name, reason: "tensor \(name) has rank \(tensor.shape.count) > \(ArchiveLayout.maxRank)")
                }
                tensorColumns["tensors/name"]!.append(nameID(name))
                tensorColumns["tensors/dtype"]!.append(UInt8(ArchiveLayout.dtypeNames.firstIndex(of: tensor.dtype.rawValue)!))
                tensorColumns["tensors/ndim"]!.append(UInt8(tensor.shape.count))
                tensorColumns["tensors/byte_offset"]!.append(Int64(offset))
                tensorColumns["tensors/byte_count"]!.append(Int64(tensor.bytes.count))
                var dims = tensor.shape.map(Int64.init)
                dims += [Int64](repeating: 0, count: ArchiveLayout.maxRank - dims.count)
                dims.withUnsafeBytes { tensorShape.appendBytes($0) }
            }
            try blob.align(to: ArchiveLayout.wordSize)
            blob.hasher = nil
            let runBytes = blob.byteCount - runStart
            runColumns["runs/arch_index"]!.append(Int32(source.archIndex))
            runColumns["runs/hp"]!.append(Int16(run.hp))
            runColumns["runs/dataset"]!.append(UInt8(datasetCode))
            runColumns["runs/seed"]!.append(Int32(run.seed))
            runColumns["runs/byte_offset"]!.append(Int64(runStart))
            runColumns["runs/byte_count"]!.append(Int64(runBytes))
            runColumns["runs/tensor_start"]!.append(Int64(tensorStart))
            runColumns["runs/tensor_count"]!.append(Int32(run.stateDict.count))
            runColumns["runs/source"]!.append(sourceRow)
            let results = texts[ArchiveLayout.resultsText]!
            results.appendBytes(run.resultsJSON)
            runColumns["runs/results_end"]!.append(Int64(results.rowCount))
            runSHA.appendBytes(run.sha256 ?? sha!.finalize().bytes)
        }
        sourceColumns["sources/arch_index"]!.append(Int32(source.archIndex))
        sourceColumns["sources/size"]!.append(source.size)
        let names = texts[ArchiveLayout.sourceNamesText]!
        names.appendBytes(Array(source.name.utf8))
        sourceColumns["sources/name_end"]!.append(Int64(names.rowCount))
        let archs = texts[ArchiveLayout.sourceArchText]!
        archs.appendBytes(Array(source.archStr.utf8))
        sourceColumns["sources/arch_str_end"]!.append(Int64(archs.rowCount))
        sourceMD5.appendBytes(source.md5)
        packedArchs.insert(source.archIndex)
    }

    /// Records an input skipped with --keep-going (durable with the next commit).
    public func addProblem(member: String, error: String) {
        let line = ArchiveJSON.object([("member", .string(member)), ("error", .string(error))]) + "\n"
        texts[ArchiveLayout.problemsText]!.appendBytes(Array(line.utf8))
        problemCount += 1
    }

    /// Copies a problem line recorded by another archive (merging shards).
    func addProblem(raw line: String) {
        texts[ArchiveLayout.problemsText]!.appendBytes(Array((line + "\n").utf8))
        problemCount += 1
    }

    /// Makes everything appended so far durable; `inputsDone` inputs are then finished.
    public func commit(inputsDone: Int, complete: Bool = false) throws {
        try blob.writeAll()
        var tableBytes: Int64 = 0
        for column in Array(runColumns.values) + Array(tensorColumns.values) + Array(sourceColumns.values)
            + Array(texts.values) + [runSHA, tensorShape, sourceMD5] {
            tableBytes += Int64(try column.write())
        }
        var record = [Int64](repeating: 0, count: ArchiveLayout.Field.allCases.count)
        func set(_ f: ArchiveLayout.Field, _ v: Int) { record[f.rawValue] = Int64(v) }
        set(.blobBytes, blob.byteCount)
        set(.runs, runSHA.committedRows)
        set(.tensors, tensorShape.committedRows)
        set(.tensorNames, nameCount)
        set(.tensorNamesBytes, texts[ArchiveLayout.tensorNamesText]!.committedRows)
        set(.sources, sourceMD5.committedRows)
        set(.sourceNameBytes, texts[ArchiveLayout.sourceNamesText]!.committedRows)
        set(.sourceArchBytes, texts[ArchiveLayout.sourceArchText]!.committedRows)
        set(.resultsBytes, texts[ArchiveLayout.resultsText]!.committedRows)
        set(.problems, problemCount)
        set(.problemsBytes, texts[ArchiveLayout.problemsText]!.committedRows)
        set(.inputsDone, inputsDone)
        set(.complete, complete ? 1 : 0)
        // Two flushes: all data and metadata of the batch first, then the record that
        // declares them durable. A kill between or during them leaves the old record,
        // whose data nothing has overwritten (file-space strategy NONE).
        try file.flush()
        try progress.write(record)
        try file.flush()
        // Durable now. Reserve room for the next batch (a full disk is reported here, cleanly).
        try space.wrote(blob.takeWrittenBytes() + tableBytes)
        self.inputsDone = inputsDone
        self.isComplete = complete
    }

    /// Final durable point (marks the archive complete), close, and give back the
    /// disk space reserved ahead.
    public func finish(inputsDone: Int) throws {
        try commit(inputsDone: inputsDone, complete: true)
        close()
        try CrashSafeFile.trimToAllocatedSize(path)
    }

    public func close() {
        compressor.shutdown()
        file.close()
    }

    private func nameID(_ name: String) -> Int32 {
        if let id = nameIDs[name] { return id }
        let id = Int32(nameCount)
        nameIDs[name] = id
        nameCount += 1
        texts[ArchiveLayout.tensorNamesText]!.appendBytes(Array((name + "\n").utf8))
        return id
    }
}
