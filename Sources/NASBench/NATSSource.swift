import Concurrency
import Foundation
import NASDataIO
import Pickle
import TorchFormats

/// The forms NATS-Bench's benchmark files come in, read one architecture at a time:
///
/// - a single file `NATS-tss-v1_0-3ffb9.pickle.pbz2` (`{meta_archs, total_archs, arch2infos,
///   evaluated_indexes}`, arch2infos = {index: {hp: ArchResults dict}}), streamed: each
///   ArchResults dict is handed over and dropped as soon as it is complete;
/// - a `-simple` (or `-full`) folder: `meta.pickle.pbz2` plus one `{index:06d}.pickle.pbz2`
///   a architecture (`OrderedDict{hp: ArchResults dict}`);
/// - the same folder as a tar (`...-simple.tar`), read member by member without unpacking.
///
/// Every file is a bz2 stream of a protocol-4 pickle, decompressed as it is parsed (capped at
/// `maxBytes` or `Bzip2Reader.defaultCap`). Nothing scales with the number of architectures
/// except the list of strings and indexes. A folder's or tar's files are decoded on `jobs`
/// threads, one file a job and at most `jobs + 1` files decoded ahead; results still arrive in
/// the files' order, so the output and the first error reported are those of one thread.
public struct NATSSource: Sendable {
    public enum Form: String, Sendable { case singleFile = "single-file", folder, tar }

    /// One architecture's results under one schedule, as the file holds them.
    public struct Item: Sendable {
        public let index: Int
        /// The hp key as the file spells it (`01`, `12`, `90`, `200`).
        public let hp: String
        /// The ArchResults dict (`ArchResults.state_dict()`).
        public let results: PickleValue
        /// The file it came from (a member of a tar as `tar:member`), for errors.
        public let file: String
        /// Python-style location of `results` in that file.
        public let location: String
    }

    /// What the source says besides the results.
    public struct Meta: Sendable {
        public var metaArchs: [String]
        public var totalArchs: Int?
        /// The single file's `evaluated_indexes` (sorted); for a folder or tar, the indexes of
        /// its per-architecture files.
        public var evaluatedIndexes: [Int]
    }

    public let path: String
    public let form: Form
    public let maxBytes: Int64?
    /// Threads that decode a folder's or tar's files (1: the caller's thread only). A single
    /// file is one stream: with more than 1, it is decompressed on a second thread, ahead of
    /// the parser.
    public var jobs = 1

    /// Recognises the form: a directory is a folder, a file starting with "BZh" a single file,
    /// anything else must be a tar.
    public init(path: String, maxBytes: Int64? = nil) throws {
        self.path = path
        self.maxBytes = maxBytes
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            form = .folder
        } else {
            let f = try FileByteStream(path: path)
            var head = [UInt8](repeating: 0, count: 3)
            let got = try head.withUnsafeMutableBytes { try f.read(into: $0) }
            form = got == 3 && head == [0x42, 0x5A, 0x68] ? .singleFile : .tar
        }
    }

    /// Calls `body` for every (architecture, hp) in the source's order; returns the meta data.
    public func forEach(_ body: (Item) throws -> Void) throws -> Meta {
        try forEach(transform: { $0 }, body)
    }

    /// Calls `transform` for every (architecture, hp), on the decoding threads for a folder or
    /// a tar, and `body` with its results in the caller's thread, in the source's order;
    /// returns the meta data. Work that can run apart from the others (parsing a run's
    /// results) belongs in `transform`; what must be serial (writing) in `body`.
    public func forEach<T: Sendable>(transform: @escaping @Sendable (Item) throws -> T,
                                     _ body: (T) throws -> Void) throws -> Meta {
        switch form {
        case .singleFile: return try readSingleFile { try body(transform($0)) }
        case .folder: return try readFolder(transform, body)
        case .tar: return try readTar(transform, body)
        }
    }

    // MARK: - Single file

    private func readSingleFile(_ body: (Item) throws -> Void) throws -> Meta {
        // One stream: with more than one job, decompressed on a second thread ahead of the parser.
        let u = try AnyFile.unpickler(path: path, kind: .pickleBz2, maxBytes: maxBytes, readAhead: jobs > 1)
        // arch2infos = {index: {hp: ArchResults}}: take each ArchResults as its hp dict receives it.
        let path = self.path
        let root = try withoutActuallyEscaping(body) { body in
            u.dictItemHandler = { item in
                guard case .string(let hp) = item.key, item.value["all_results"].dict != nil,
                      let index = item.value["arch_index"].int else { return .keep }
                try body(Item(index: index, hp: hp, results: item.value, file: path,
                              location: "arch2infos[\(index)]['\(hp)']"))
                return .drop
            }
            defer { u.dictItemHandler = nil }
            let value = try u.load()
            try u.expectEnd()   // one pickle is the whole stream
            return value
        }
        let meta = try NATSSource.meta(root, file: path)
        guard let arch2infos = root["arch2infos"].dict else {
            throw BenchmarkFormatError(file: path, location: "top-level dict", reason: "no 'arch2infos' dict")
        }
        for (key, value) in arch2infos.items {
            guard let index = key.int else {
                throw BenchmarkFormatError(file: path, location: "arch2infos", reason: "key \(key.shortDescription) is not an int")
            }
            guard let hps = value.dict, hps.count == 0 else {
                throw BenchmarkFormatError(file: path, location: "arch2infos[\(index)]",
                                           reason: "is \(value.typeName), not a dict of hp -> ArchResults")
            }
        }
        return meta
    }

    public static func meta(_ root: PickleValue, file: String) throws -> Meta {
        let at = "top-level dict"
        guard root.dict != nil else { throw BenchmarkFormatError(file: file, location: at, reason: "the file holds \(root.typeName), not a dict") }
        guard let list = root["meta_archs"].list else { throw BenchmarkFormatError(file: file, location: at, reason: "no 'meta_archs' list") }
        let archs = try list.enumerated().map { i, v -> String in
            guard let s = v.string else { throw BenchmarkFormatError(file: file, location: "meta_archs[\(i)]", reason: "is \(v.typeName), not str") }
            return s
        }
        var evaluated: [Int] = []
        if !root["evaluated_indexes"].isNone {
            guard let items = root["evaluated_indexes"].list else {
                throw BenchmarkFormatError(file: file, location: at, reason: "'evaluated_indexes' is \(root["evaluated_indexes"].typeName)")
            }
            evaluated = try items.map { v -> Int in
                guard let i = v.int else { throw BenchmarkFormatError(file: file, location: "evaluated_indexes", reason: "holds \(v.typeName)") }
                return i
            }
        }
        return Meta(metaArchs: archs, totalArchs: root["total_archs"].int, evaluatedIndexes: evaluated.sorted())
    }

    // MARK: - Folder and tar

    /// `{index:06d}.pickle.pbz2` -> index (any number of digits >= 6, as upstream formats).
    public static func index(ofMember name: String) -> Int? {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        guard base.hasSuffix(".pickle.pbz2") else { return nil }
        let stem = base.dropLast(".pickle.pbz2".count)
        guard stem.count >= 6, stem.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(stem)
    }

    /// One per-architecture file: `OrderedDict{hp: ArchResults}`, whose index must be the name's.
    static func perArchitecture(_ root: PickleValue, index: Int, file: String, _ body: (Item) throws -> Void) throws {
        guard let hps = root.dict else {
            throw BenchmarkFormatError(file: file, location: "top level", reason: "holds \(root.typeName), not a dict of hp -> ArchResults")
        }
        for (key, value) in hps.items {
            guard let hp = key.string else {
                throw BenchmarkFormatError(file: file, location: "top level", reason: "key \(key.shortDescription) is not an hp string")
            }
            guard let stored = value["arch_index"].int, stored == index else {
                throw BenchmarkFormatError(file: file, location: "['\(hp)']['arch_index']",
                                           reason: "is \(value["arch_index"].shortDescription), but the file is named for index \(index)")
            }
            try body(Item(index: index, hp: hp, results: value, file: file, location: "['\(hp)']"))
        }
    }

    /// One per-architecture file's items, transformed.
    private static func items<T>(_ root: PickleValue, index: Int, file: String,
                                 _ transform: (Item) throws -> T) throws -> [T] {
        var out: [T] = []
        try perArchitecture(root, index: index, file: file) { out.append(try transform($0)) }
        return out
    }

    /// Runs `decode` jobs in order on `jobs` threads (in the caller's when 1), keeping at most
    /// `jobs + 1` submitted; `body` gets each job's items in submission order. `next` yields the
    /// next job (nil at the end); it runs in the caller's thread and may read a sequential stream.
    private func ordered<T: Sendable>(next: () throws -> (@Sendable () throws -> [T])?, _ body: (T) throws -> Void) throws {
        guard jobs > 1 else {
            while let job = try next() { for item in try job() { try body(item) } }
            return
        }
        let pool = OrderedWorkers<Result<[T], Error>>(workers: jobs, name: "nasdata-nats-decode")
        defer { pool.shutdown() }
        var exhausted = false
        // A failure of `next` (a tar cut short) is reported after the jobs submitted before it,
        // as one thread would: an earlier file's own error comes first.
        var streamError: Error?
        func fill() {
            while !exhausted && pool.pending < jobs + 1 {
                do {
                    guard let job = try next() else { exhausted = true; return }
                    pool.submit { cancelled in cancelled ? .success([]) : Result { try job() } }
                } catch {
                    streamError = error
                    exhausted = true
                }
            }
        }
        fill()
        while let result = pool.next() {
            for item in try result.get() { try body(item) }
            fill()
        }
        if let streamError { throw streamError }
    }

    private func readFolder<T: Sendable>(_ transform: @escaping @Sendable (Item) throws -> T, _ body: (T) throws -> Void) throws -> Meta {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw IOError.system(operation: "list", path: path, errno: EACCES)
        }
        let metaPath = path + "/meta.pickle.pbz2"
        guard names.contains("meta.pickle.pbz2") else {
            throw BenchmarkFormatError(file: path, location: "folder", reason: "no meta.pickle.pbz2 (not a NATS-Bench -simple or -full folder)")
        }
        var meta = try NATSSource.meta(AnyFile.load(path: metaPath, kind: .pickleBz2, maxBytes: maxBytes).value, file: metaPath)
        let files = names.compactMap { name in NATSSource.index(ofMember: name).map { (index: $0, name: name) } }
            .sorted { $0.index < $1.index }
        var remaining = files.makeIterator()
        let (folder, cap) = (path, maxBytes)
        try ordered(next: {
            guard let (index, name) = remaining.next() else { return nil }
            return {
                let file = folder + "/" + name
                return try NATSSource.items(AnyFile.load(path: file, kind: .pickleBz2, maxBytes: cap).value,
                                            index: index, file: file, transform)
            }
        }, body)
        meta.evaluatedIndexes = files.map(\.index)
        return meta
    }

    private func readTar<T: Sendable>(_ transform: @escaping @Sendable (Item) throws -> T, _ body: (T) throws -> Void) throws -> Meta {
        let tar = try TarReader(path: path)
        var meta: Meta?
        var indexes: [Int] = []
        let (path, maxBytes) = (self.path, self.maxBytes)
        try ordered(next: {
            while let entry = try tar.next() {
                guard entry.isFile else { continue }
                let base = entry.name.split(separator: "/").last.map(String.init) ?? entry.name
                let index = NATSSource.index(ofMember: entry.name)
                guard base == "meta.pickle.pbz2" || index != nil else { continue }
                let file = "\(path):\(entry.name)"
                let cap = maxBytes ?? Bzip2Reader.defaultCap(compressedSize: entry.size)
                guard let index else {
                    meta = try NATSSource.meta(AnyFile.loadPickle(bz2: NamedStream(tar.contents, name: file), maxBytes: cap), file: file)
                    continue
                }
                indexes.append(index)
                // The stream is sequential: the member's compressed bytes (one file's) are copied
                // out, so that a worker can decode them while the next member is read. The copy
                // grows as bytes arrive: a header claiming more than the tar holds reserves nothing.
                let bytes = try NamedStream(tar.contents, name: file).readToEnd(limit: Int(entry.size))
                return {
                    try NATSSource.items(AnyFile.loadPickle(bz2: MemoryByteStream(bytes, path: file), maxBytes: cap),
                                         index: index, file: file, transform)
                }
            }
            return nil
        }, body)
        guard var found = meta else {
            throw BenchmarkFormatError(file: path, location: "tar", reason: "no meta.pickle.pbz2 member (not a NATS-Bench -simple tar)")
        }
        found.evaluatedIndexes = indexes.sorted()
        return found
    }
}

/// A stream that reports another name in errors (a tar member as `archive.tar:member`).
final class NamedStream: ByteStream {
    let base: ByteStream
    let path: String
    init(_ base: ByteStream, name: String) { self.base = base; self.path = name }
    var offset: Int64 { base.offset }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { try base.read(into: buffer) }
    func skip(_ count: Int64) throws { try base.skip(count) }
}
