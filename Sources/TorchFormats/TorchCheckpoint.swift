import NASDataIO
import Pickle
import Tensors
import Concurrency

/// Loads PyTorch checkpoints (`torch.save` output) without Python: the legacy format
/// (consecutive pickles followed by raw storages) and the zip format (torch >= 1.6),
/// sniffed from the first bytes. Nothing in the file is executed (see `Unpickler`).
///
///     let v = try TorchCheckpoint.load(path: "000000-FULL.pth")
///     let run = v["full"]["all_results"][("cifar10", 777)]
///     let weights: StateDict = try run["net_state_dict"].stateDict()
///
/// Tensors come back as `.tensor(TorchTensor)` views; their bytes are read from the
/// file only when materialised (`stateDict()`, `TorchTensor.materialize()`), so
/// opening a multi-GB checkpoint costs memory for the object tree only. The file
/// stays open while any tensor of it is alive. Zip entries are CRC-32 checked the
/// first time a storage of them is read (and `data.pkl` before parsing).
public enum TorchCheckpoint {
    public enum Format: String, Sendable { case legacy, zip }

    /// The legacy format's first pickle: 0x1950a86a20f9469cfc6c, little-endian.
    static let legacyMagic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    /// `zip` for `PK\x03\x04`, `legacy` for a pickle (`\x80`); throws otherwise.
    public static func format(of path: String) throws -> Format {
        let f = try RandomAccessFile(path: path)
        let head = try f.read(at: 0, count: Int(min(f.size, 4)), what: "file header")
        if head == [0x50, 0x4B, 0x03, 0x04] { return .zip }
        if head.first == 0x80 { return .legacy }
        throw IOError.malformed(path: path, offset: 0, reason: "not a torch checkpoint (neither a zip archive nor a pickle)")
    }

    /// Loads the object a checkpoint holds. `dictItemHandler` is the unpickler's
    /// streaming hook (see `Unpickler.dictItemHandler`), applied to the object pickle.
    public static func load(path: String, options: Unpickler.Options = Unpickler.Options(),
                            dictItemHandler: ((Unpickler.DictItem) throws -> Unpickler.DictItemAction)? = nil)
        throws -> PickleValue {
        switch try format(of: path) {
        case .zip: return try loadZip(path: path, options: options, dictItemHandler: dictItemHandler)
        case .legacy: return try loadLegacy(path: path, options: options, dictItemHandler: dictItemHandler)
        }
    }

    /// Reads every storage-bearing zip entry and checks its CRC-32 (no-op for legacy files,
    /// which carry no checksums). Returns the number of entries checked.
    @discardableResult
    public static func verifyChecksums(path: String) throws -> Int {
        guard try format(of: path) == .zip else { return 0 }
        let zip = try ZipReader(file: try RandomAccessFile(path: path))
        for e in zip.entries { try zip.verifyCRC(e) }
        return zip.entries.count
    }

    // MARK: - Persistent ids

    /// `('storage', torch.FloatStorage, key, location, numel[, view_metadata])` -> `.storage`.
    /// Storages with the same key are the same object (shared storages).
    static func storageResolver(path: String, source: any StorageSource,
                                check: @escaping (String, DType, Int) throws -> Void = { _, _, _ in })
        -> (PickleValue) throws -> PickleValue {
        var storages: [String: TorchStorage] = [:]
        return { pid in
            guard let t = pid.tuple, t.count >= 5, t[0].string == "storage" else {
                throw IOError.malformed(path: path, offset: nil, reason: "unsupported persistent id \(pid.shortDescription)")
            }
            guard case .global(let module, let name) = t[1] else {
                throw IOError.malformed(path: path, offset: nil, reason: "storage type is \(t[1].typeName)")
            }
            let dtype: DType
            if let d = DType(torchStorageName: name), module == "torch" { dtype = d } else if name == "UntypedStorage" {
                dtype = .uint8
            } else {
                throw IOError.malformed(path: path, offset: nil, reason: "unsupported storage type \(module).\(name)")
            }
            guard let key = t[2].string, let location = t[3].string, let numel = t[4].int, numel >= 0 else {
                throw IOError.malformed(path: path, offset: nil, reason: "malformed storage id \(pid.shortDescription)")
            }
            let root: TorchStorage
            if let s = storages[key] {
                guard s.dtype == dtype, s.elementCount == numel else {
                    throw IOError.malformed(path: path, offset: nil, reason: "storage '\(key)' declared twice with different types or sizes")
                }
                root = s
            } else {
                try check(key, dtype, numel)
                root = TorchStorage(key: key, dtype: dtype, elementCount: numel, location: location, source: source)
                storages[key] = root
            }
            // Legacy storage views: (view_key, offset, view_size).
            if t.count > 5, let view = t[5].tuple {
                guard view.count == 3, let offset = view[1].int, let size = view[2].int, offset >= 0, size >= 0,
                      offset <= numel, size <= numel - offset else {
                    throw IOError.malformed(path: path, offset: nil, reason: "bad storage view \(t[5].shortDescription)")
                }
                return .storage(TorchStorage(key: key, dtype: dtype, elementCount: size, location: location,
                                             viewOffset: offset, source: source))
            }
            return .storage(root)
        }
    }

    // MARK: - Legacy

    static func loadLegacy(path: String, options: Unpickler.Options,
                           dictItemHandler: ((Unpickler.DictItem) throws -> Unpickler.DictItemAction)?) throws -> PickleValue {
        let file = try RandomAccessFile(path: path)
        let source = LegacyStorages(file: file)
        let reader = try ByteReader(path: path)
        let u = Unpickler(reader: reader, options: options)
        let magicAt = reader.offset
        let magic = try u.load()
        guard case .bigInt(let m) = magic, m.littleEndianBytes == legacyMagic else {
            throw IOError.malformed(path: path, offset: magicAt,
                                    reason: "not a torch checkpoint: first pickle is \(magic.shortDescription), not the legacy magic number")
        }
        let protoAt = reader.offset
        let proto = try u.load()
        guard proto.int == 1001 else {
            throw IOError.malformed(path: path, offset: protoAt, reason: "unsupported legacy protocol version \(proto.shortDescription)")
        }
        let infoAt = reader.offset
        let sysInfo = try u.load()
        if case .bool(false) = sysInfo["little_endian"] {
            throw IOError.malformed(path: path, offset: infoAt, reason: "big-endian checkpoints are not supported")
        }
        var declared: [String: DType] = [:]
        u.persistentLoad = storageResolver(path: path, source: source) { key, dtype, _ in declared[key] = dtype }
        u.dictItemHandler = dictItemHandler
        let object = try u.load()
        u.persistentLoad = nil
        u.dictItemHandler = nil
        let keysAt = reader.offset
        guard let keyValues = try u.load().list else {
            throw IOError.malformed(path: path, offset: keysAt, reason: "storage key list is not a list")
        }
        // Storage records: int64 element count, then the raw bytes, in key-list order.
        var table: [String: (offset: Int64, byteCount: Int64)] = [:]
        for kv in keyValues {
            guard let key = kv.string else {
                throw IOError.malformed(path: path, offset: keysAt, reason: "storage key \(kv.shortDescription) is not a string")
            }
            let at = reader.offset
            let numel = Int64(bitPattern: try reader.uint64())
            guard let dtype = declared[key] else {
                throw IOError.malformed(path: path, offset: at, reason: "storage '\(key)' is listed but no tensor uses it")
            }
            let (bytes, overflow) = numel.multipliedReportingOverflow(by: Int64(dtype.byteSize))
            guard numel >= 0, !overflow, bytes <= reader.remaining else {
                throw IOError.truncated(path: path, offset: at,
                                        reason: "storage '\(key)' declares \(numel) elements, more than the \(reader.remaining) bytes left")
            }
            table[key] = (reader.offset, bytes)
            try reader.skip(bytes)
        }
        for key in declared.keys where table[key] == nil {
            throw IOError.malformed(path: path, offset: keysAt, reason: "storage '\(key)' is used but has no data record")
        }
        source.table = table
        return object
    }

    // MARK: - Zip

    static func loadZip(path: String, options: Unpickler.Options,
                        dictItemHandler: ((Unpickler.DictItem) throws -> Unpickler.DictItemAction)?) throws -> PickleValue {
        let file = try RandomAccessFile(path: path)
        let zip = try ZipReader(file: file)
        guard let pkl = zip.entries.first(where: { $0.name == "data.pkl" || $0.name.hasSuffix("/data.pkl") }) else {
            throw IOError.malformed(path: path, offset: nil, reason: "zip archive has no data.pkl (not a torch checkpoint)")
        }
        let prefix = String(pkl.name.dropLast("data.pkl".count))
        if let bo = zip.entry(prefix + "byteorder") {
            let order = String(decoding: try zip.read(bo), as: UTF8.self)
            guard order == "little" else {
                throw IOError.malformed(path: path, offset: bo.localHeaderOffset, reason: "byteorder '\(order)' is not supported")
            }
        }
        try zip.verifyCRC(pkl)
        let start = try zip.storedDataOffset(pkl)
        let source = ZipStorages(zip: zip, prefix: prefix)
        let u = Unpickler(reader: try ByteReader(path: path, start: start, end: start + pkl.size), options: options)
        u.persistentLoad = storageResolver(path: path, source: source) { key, dtype, numel in
            guard let e = zip.entry(prefix + "data/" + key) else {
                throw IOError.malformed(path: path, offset: nil, reason: "storage '\(key)' has no entry \(prefix)data/\(key)")
            }
            guard e.size >= Int64(numel) * Int64(dtype.byteSize) else {
                throw IOError.malformed(path: path, offset: e.localHeaderOffset,
                                        reason: "entry \(e.name) holds \(e.size) bytes, less than \(numel) \(dtype) elements")
            }
        }
        u.dictItemHandler = dictItemHandler
        return try u.load()
    }
}

/// Storage bytes of a legacy checkpoint: offsets of the trailing records.
final class LegacyStorages: StorageSource, @unchecked Sendable {
    let file: RandomAccessFile
    /// Filled once after the key list is scanned, before `load` returns; read-only after.
    var table: [String: (offset: Int64, byteCount: Int64)] = [:]
    init(file: RandomAccessFile) { self.file = file }

    func read(_ storage: TorchStorage, byteOffset: Int, byteCount: Int) throws -> [UInt8] {
        guard let rec = table[storage.key] else {
            throw IOError.malformed(path: file.path, offset: nil, reason: "storage '\(storage.key)' has no data record")
        }
        guard byteOffset >= 0, byteCount >= 0, Int64(byteOffset) + Int64(byteCount) <= rec.byteCount else {
            throw IOError.malformed(path: file.path, offset: rec.offset,
                                    reason: "read of \(byteCount) bytes at \(byteOffset) is outside storage '\(storage.key)' (\(rec.byteCount) bytes)")
        }
        return try file.read(at: rec.offset + Int64(byteOffset), count: byteCount, what: "storage '\(storage.key)'")
    }
}

/// Storage bytes of a zip checkpoint: `<prefix>data/<key>` entries, CRC-checked on first use.
final class ZipStorages: StorageSource, @unchecked Sendable {
    let zip: ZipReader
    let prefix: String
    private var verified: Set<String> = []
    private let lock = Locked()
    init(zip: ZipReader, prefix: String) { self.zip = zip; self.prefix = prefix }

    func read(_ storage: TorchStorage, byteOffset: Int, byteCount: Int) throws -> [UInt8] {
        guard let e = zip.entry(prefix + "data/" + storage.key) else {
            throw IOError.malformed(path: zip.file.path, offset: nil, reason: "no entry \(prefix)data/\(storage.key)")
        }
        guard byteOffset >= 0, byteCount >= 0, Int64(byteOffset) + Int64(byteCount) <= e.size else {
            throw IOError.malformed(path: zip.file.path, offset: e.localHeaderOffset,
                                    reason: "read of \(byteCount) bytes at \(byteOffset) is outside \(e.name) (\(e.size) bytes)")
        }
        if !lock.withLock({ verified.contains(e.name) }) {
            try zip.verifyCRC(e)
            lock.withLock { _ = verified.insert(e.name) }
        }
        return try zip.file.read(at: try zip.storedDataOffset(e) + Int64(byteOffset), count: byteCount, what: e.name)
    }
}
