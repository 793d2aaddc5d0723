#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Checksums
import Foundation
import HDF5
import NASDataIO
import Concurrency

/// What `pack-archive` does, as a library call.
public struct PackOptions: Sendable {
    public var inputs: PackInputs
    public var output: String
    public var settings = PackSettings()
    /// Skip bad members (listed in the report and in the archive) instead of stopping.
    public var keepGoing = false
    /// Input bytes between durable points: at most this much work is redone after a kill.
    public var batchBytes: Int = 256 << 20
    /// Whose weight files the inputs are (NATS-Bench's space included); nil: by the input
    /// names (`WeightFiles.detect`).
    public var files: WeightFiles? = nil
    /// Input bytes being decoded ahead at most (at least one file always is): each input
    /// file is held decoded in memory until appended, a NATS-Bench file also decompressed
    /// on its worker, so this bounds the pack's memory whatever the files' sizes.
    public var decodeAheadBytes: Int64 = 64 << 20
    /// Test hook: stop (as if killed) after this many durable points.
    public var stopAfterCommits: Int? = nil

    public init(inputs: PackInputs, output: String) {
        self.inputs = inputs
        self.output = output
        self.settings.inputSignature = inputs.signature
    }
}

/// What a pack did.
public struct PackReport: Sendable {
    public var output: String
    /// Inputs already handled by an earlier, interrupted run of the same command.
    public var resumedAt = 0
    public var inputsSeen = 0
    public var filesPacked = 0
    public var runsPacked = 0
    public var inputBytes: Int64 = 0
    public var skippedOtherShards = 0
    public var problems: [(member: String, error: String)] = []
    public var seconds = 0.0
    public var alreadyComplete = false
    public var archiveBytes: Int64 = 0
    public var totalRuns = 0

    public var json: String {
        ArchiveJSON.object([
            ("output", .string(output)), ("resumed_at_input", .int(Int64(resumedAt))),
            ("inputs_seen", .int(Int64(inputsSeen))), ("files_packed", .int(Int64(filesPacked))),
            ("runs_packed", .int(Int64(runsPacked))), ("total_runs", .int(Int64(totalRuns))),
            ("input_bytes", .int(inputBytes)), ("archive_bytes", .int(archiveBytes)),
            ("skipped_other_shards", .int(Int64(skippedOtherShards))),
            ("already_complete", .bool(alreadyComplete)), ("seconds", .double(seconds)),
            ("problems", .array(problems.map { .object([("member", .string($0.member)), ("error", .string($0.error))]) })),
        ])
    }
}

public enum Packer {
    public static func pack(_ options: PackOptions) throws -> PackReport {
        let start = Date()
        var report = PackReport(output: options.output)
        var settings = options.settings
        settings.batchBytes = options.batchBytes
        settings.files = try options.files ?? WeightFiles.detect(options.inputs.paths)
        let files = settings.files
        let writer: ArchiveWriter
        do {
            writer = try ArchiveWriter.openOrCreate(options.output, settings: settings)
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw PackError.writeFailed(path: options.output, underlying: (error as? HDF5Error)?.summary ?? "\(error)", diskFull: isDiskFull(error))
        }
        var closed = false
        defer { if !closed { writer.close() } }
        report.resumedAt = writer.inputsDone
        if writer.isComplete {
            report.alreadyComplete = true
            report.totalRuns = writer.runCount
            writer.close(); closed = true
            report.archiveBytes = fileSize(options.output)
            return report
        }
        let source = try MemberSource(options.inputs, files: files)
        let progress = Progress("pack-archive", total: source.knownCount.map(Int64.init), unit: "files")
        defer { progress.finish() }
        // Input files are hashed and decoded (NATS-Bench's also bz2-decompressed) on worker
        // threads, a few ahead of the one being appended (at most `lookahead` files and
        // `decodeAheadBytes` of input); results come back in input order, so the archive, its
        // durable points and every error are exactly those of a one-file-at-a-time pack.
        let decoders = OrderedWorkers<Result<SourceRecord, Error>>(workers: options.settings.workers,
                                                                   name: "nasdata-decode")
        defer { decoders.shutdown() }
        let lookahead = options.settings.workers + 1
        var steps: [PackStep] = []
        var nextStep = 0
        var exhausted = false
        var pendingBytes = 0
        /// Input bytes submitted to the decoders and not yet taken back.
        var decodingBytes: Int64 = 0
        var commits = 0
        /// Members fully handled (packed, skipped or reported), in input order.
        var handled = writer.inputsDone

        /// Reads members ahead: names are checked and tar members copied into memory
        /// here (the stream is sequential); hashing and decoding go to the workers.
        func readAhead() {
            if nextStep > 64 { steps.removeFirst(nextStep); nextStep = 0 }
            while !exhausted && decoders.pending < lookahead && steps.count - nextStep < 256
                    && (decoders.pending == 0 || decodingBytes < options.decodeAheadBytes) {
                let member: InputMember?
                do {
                    member = try source.next()
                } catch {
                    // A broken stream (interrupted tar, unreadable part): nothing after it is reachable.
                    steps.append(.streamBroken(error))
                    exhausted = true
                    break
                }
                guard let member else { exhausted = true; break }
                report.inputsSeen += 1
                if member.ordinal < writer.inputsDone { continue } // handled before the restart
                guard member.isFile, !files.isAuxiliary(member.name) else { steps.append(.passOver(member)); continue }
                guard let archIndex = files.archIndex(of: member.name) else {
                    steps.append(.bad(member, ArchiveError.badInput(member: member.name,
                                                                     reason: "unexpected member name (want \(files.memberPattern))"),
                                      endsStream: false))
                    continue
                }
                guard options.settings.shard.contains(archIndex: archIndex) else {
                    steps.append(.otherShard(member))
                    continue
                }
                let materialized: MaterializedMember
                do {
                    materialized = try source.materialize(member)
                } catch {
                    // The tar stream broke inside this member: nothing after it is reachable.
                    steps.append(.bad(member, error, endsStream: source.isStream))
                    if source.isStream { exhausted = true }
                    continue
                }
                let name = member.name
                decoders.submit { cancelled in
                    defer { materialized.close() }
                    if cancelled { return .failure(CancellationError()) }
                    return Result {
                        var record = try FullFile.decode(materialized, name: name, expectedIndex: archIndex, files: files)
                        for i in record.runs.indices { record.runs[i].sha256 = record.runs[i].storedDigest() }
                        return record
                    }
                }
                decodingBytes += materialized.size
                steps.append(.decoded(member, archIndex: archIndex, size: materialized.size))
            }
        }

        func fail(_ member: String, _ error: Error) throws {
            let message = "\(error)"
            if options.keepGoing {
                writer.addProblem(member: member, error: message)
                report.problems.append((member, message))
            } else {
                // Everything before this member becomes durable; then stop.
                try writer.commit(inputsDone: handled)
                throw ArchiveError.badInput(member: member, reason: stripMember(message, member))
            }
        }

        do {
            loop: while true {
                readAhead()
                guard nextStep < steps.count else { break }
                let step = steps[nextStep]
                nextStep += 1
                switch step {
                case .streamBroken(let error):
                    try fail(options.inputs.signature, error)
                    break loop
                case .passOver(let member):
                    progress.advance()
                    handled = member.ordinal + 1
                case .otherShard(let member):
                    progress.advance()
                    report.skippedOtherShards += 1
                    handled = member.ordinal + 1
                case let .bad(member, error, endsStream):
                    progress.advance()
                    try fail(member.name, error)
                    handled = member.ordinal + 1
                    if endsStream { break loop }
                case let .decoded(member, archIndex, size):
                    progress.advance()
                    let result = decoders.next()!
                    decodingBytes -= size
                    defer { handled = member.ordinal + 1 }
                    if writer.packedArchs.contains(archIndex) {
                        try fail(member.name, ArchiveError.badInput(member: member.name,
                                                                    reason: "duplicate: architecture \(archIndex) was packed already from an earlier member"))
                        continue
                    }
                    report.inputBytes += size
                    pendingBytes += Int(size)
                    let record: SourceRecord
                    switch result {
                    case .success(let r): record = r
                    case .failure(let error):
                        try fail(member.name, error)
                        continue
                    }
                    // Errors from here on are the archive's (disk full, HDF5): the file stays at its last durable point.
                    try writer.add(record)
                    report.filesPacked += 1
                    report.runsPacked += record.runs.count
                    if pendingBytes >= options.batchBytes {
                        try writer.commit(inputsDone: member.ordinal + 1)
                        pendingBytes = 0
                        commits += 1
                        if let stop = options.stopAfterCommits, commits >= stop {
                            report.totalRuns = writer.runCount
                            return report
                        }
                    }
                }
            }
            try writer.finish(inputsDone: handled)
            closed = true
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw PackError.writeFailed(path: options.output, underlying: (error as? HDF5Error)?.summary ?? "\(error)",
                                        diskFull: isDiskFull(error))
        }
        report.totalRuns = writer.runCount
        report.seconds = Date().timeIntervalSince(start)
        report.archiveBytes = fileSize(options.output)
        return report
    }

    static func fileSize(_ path: String) -> Int64 {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : 0
    }

    /// An error's text without the name (or in-memory `/proc/self/fd/N` path) it starts with.
    static func stripMember(_ message: String, _ member: String) -> String {
        message.hasPrefix(member + ": ") ? String(message.dropFirst(member.count + 2)) : message
    }

    static func isDiskFull(_ error: Error) -> Bool {
        let text = "\(error)".lowercased()
        return text.contains("no space left") || text.contains("file too large") || text.contains("enospc")
            || text.contains("disk quota")
    }
}

/// What the reading side decided about one input member; handled in input order.
private enum PackStep {
    /// Not a regular file (a tar directory entry): counted as handled, nothing else.
    case passOver(InputMember)
    /// Belongs to another `--shard`.
    case otherShard(InputMember)
    /// Rejected before decoding (unexpected name, unreadable member).
    case bad(InputMember, Error, endsStream: Bool)
    /// Submitted to the decoders; its result is the next one they hand back.
    case decoded(InputMember, archIndex: Int, size: Int64)
    /// The tar stream itself failed between members.
    case streamBroken(Error)
}

/// The archive could not be written; it stays at its last durable point.
public enum PackError: Error, CustomStringConvertible {
    case writeFailed(path: String, underlying: String, diskFull: Bool)

    public var description: String {
        switch self {
        case let .writeFailed(path, underlying, diskFull):
            let head = diskFull ? "\(path): the disk is full (or the file size limit was hit)"
                : "\(path): writing the archive failed"
            return head + ": \(underlying). The archive keeps everything up to its last durable point: "
                + "free space (or fix the cause) and run the same command again to resume."
        }
    }
}
