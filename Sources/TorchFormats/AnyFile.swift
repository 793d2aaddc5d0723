import NASDataIO
import Pickle
import Tensors

/// Opens any file format this module reads as one `PickleValue` tree, for tools that
/// show or compare files (`nasdata inspect`): torch checkpoints (legacy, zip), plain
/// pickles, bz2-compressed pickles (NATS-Bench's `.pickle.pbz2`, decompressed as they
/// are parsed), `.npy` (an `.ndarray`) and safetensors (an ordered dict of lazily read
/// `.tensor`s plus its metadata). Pickled tensors (`torch.storage._load_from_bytes`)
/// are read in plain and compressed pickles alike.
public enum AnyFile {
    public enum Kind: String, Sendable {
        case torchLegacy = "torch-legacy", torchZip = "torch-zip", pickle, pickleBz2 = "pickle-bz2", npy, safetensors
    }

    /// Recognises the format from the first bytes (a pickle that is not a torch legacy
    /// checkpoint is a plain pickle).
    public static func sniff(path: String) throws -> Kind {
        let f = try RandomAccessFile(path: path)
        let head = try f.read(at: 0, count: Int(min(f.size, 64)), what: "file header")
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .torchZip }
        if head.starts(with: NPY.magic) { return .npy }
        if head.starts(with: [0x42, 0x5A, 0x68]) { return .pickleBz2 }  // "BZh": bzip2
        if head.count >= 9, head[8] == UInt8(ascii: "{") {
            let n = readLE(head, 0, as: UInt64.self)
            if n > 1, n <= UInt64(f.size - 8) { return .safetensors }
        }
        // torch legacy: \x80\x02 then LONG1 of 10 bytes with the magic number, then the
        // protocol-version pickle (1001). Either one is enough: a damaged magic number is
        // a damaged checkpoint (the loader says so), not a plain pickle with 330 KB after it.
        if head.first == 0x80, (head.count >= 4 && head[2] == 0x8A && head[3] == 10)
            || containsLegacyProtocolPickle(head) {
            return .torchLegacy
        }
        guard let first = head.first else { throw IOError.malformed(path: path, offset: 0, reason: "empty file") }
        if first == 0x80 || first == UInt8(ascii: "(") || first == UInt8(ascii: "}") || first == UInt8(ascii: "]")
            || first == UInt8(ascii: "d") || first == UInt8(ascii: "l") || first == UInt8(ascii: "c") {
            return .pickle
        }
        throw IOError.malformed(path: path, offset: 0,
                                reason: "unrecognised format (not a pickle, torch checkpoint, .npy or safetensors file)")
    }

    /// `\x80\x02 M\xe9\x03 .`: the legacy layout's second pickle (protocol version 1001).
    static func containsLegacyProtocolPickle(_ head: [UInt8]) -> Bool {
        let needle: [UInt8] = [0x80, 0x02, 0x4D, 0xE9, 0x03, 0x2E]
        guard head.count >= needle.count + 1 else { return false }
        return (1...(head.count - needle.count)).contains { Array(head[$0..<$0 + needle.count]) == needle }
    }

    /// An unpickler over a plain (`.pickle`) or bz2-compressed (`.pickleBz2`) pickle file,
    /// with pickled tensors enabled. The bz2 stream is decompressed as it is read, at most
    /// `maxBytes` (default `Bzip2Reader.defaultCap` of the file's size); with `readAhead`, on a
    /// thread of its own, ahead of the parser (`ReadAheadStream`), for one long stream.
    public static func unpickler(path: String, kind: Kind, options: Unpickler.Options = Unpickler.Options(),
                                 maxBytes: Int64? = nil, readAhead: Bool = false) throws -> Unpickler {
        let o = TorchCheckpoint.pickleOptions(options)
        switch kind {
        case .pickle:
            return try Unpickler(path: path, options: o)
        case .pickleBz2:
            let file = try FileByteStream(path: path)
            return try unpickler(bz2: file, maxBytes: maxBytes ?? Bzip2Reader.defaultCap(compressedSize: file.size),
                                 options: options, readAhead: readAhead)
        default:
            throw IOError.malformed(path: path, offset: 0, reason: "a \(kind.rawValue) file is not a plain pickle")
        }
    }

    /// An unpickler over a bz2-compressed pickle read from `stream` (a file, a tar member, bytes
    /// in memory), with pickled tensors enabled, decompressed as it is read, at most `maxBytes`.
    public static func unpickler(bz2 stream: ByteStream, maxBytes: Int64, options: Unpickler.Options = Unpickler.Options(),
                                 readAhead: Bool = false) throws -> Unpickler {
        let bz = try Bzip2Reader(stream, maxBytes: maxBytes)
        // One byte past the cap, so that the decompressor (not the parser) reports it.
        // 32 MiB ahead: the parser's thread stalls for a while when the caller writes a batch
        // (a benchmark's 512-row flush); a short queue would leave the decompressor idle then.
        let source: ByteStream = readAhead ? ReadAheadStream(bz, chunkSize: 1 << 20, depth: 32) : bz
        return Unpickler(reader: ByteReader(stream: source, limit: bz.maxBytes + 1), options: TorchCheckpoint.pickleOptions(options))
    }

    /// The one pickle a bz2 stream holds, read to the stream's end: libbz2 checks the last CRCs
    /// only there, and nothing may follow the pickle's STOP (`PickleError.trailingBytes`).
    public static func loadPickle(bz2 stream: ByteStream, maxBytes: Int64) throws -> PickleValue {
        let u = try unpickler(bz2: stream, maxBytes: maxBytes)
        let value = try u.load()
        try u.expectEnd()
        return value
    }

    /// The file's content as a value tree, plus safetensors metadata (empty otherwise).
    /// `maxBytes` caps the decompressed size of a bz2 pickle.
    public static func load(path: String, kind: Kind? = nil, options: Unpickler.Options = Unpickler.Options(),
                            maxBytes: Int64? = nil)
        throws -> (kind: Kind, value: PickleValue, metadata: [String: String]) {
        let k = try kind ?? sniff(path: path)
        switch k {
        case .torchLegacy, .torchZip:
            return (k, try TorchCheckpoint.load(path: path, options: options), [:])
        case .pickle, .pickleBz2:
            // One pickle is the whole file (decompressed, for bz2): bytes after its STOP, a second
            // pickle or a second bz2 stream among them, are damage (PickleError.trailingBytes).
            let u = try unpickler(path: path, kind: k, options: options, maxBytes: maxBytes)
            let value = try u.load()
            try u.expectEnd()
            return (k, value, [:])
        case .npy:
            return (k, .ndarray(try NPY.readArray(path: path)), [:])
        case .safetensors:
            let (index, metadata) = try Safetensors.index(path: path)
            let source = FileRangeStorages(file: index.file, offsets: index.offsets)
            let pairs: [(PickleValue, PickleValue)] = index.entries.map { e in
                let storage = TorchStorage(key: e.name, dtype: e.dtype, elementCount: e.shape.reduce(1, *),
                                           location: "cpu", source: source)
                return (.string(e.name), .tensor(TorchTensor(storage: storage, storageOffset: 0, shape: e.shape,
                                                              stride: TorchSave.contiguousStrides(e.shape))))
            }
            return (k, .makeDict(pairs, ordered: true), metadata)
        }
    }
}

/// Storage bytes at known offsets of a file (safetensors data).
final class FileRangeStorages: StorageSource, @unchecked Sendable {
    let file: RandomAccessFile
    let offsets: [String: Int64]
    init(file: RandomAccessFile, offsets: [String: Int64]) { self.file = file; self.offsets = offsets }

    func read(_ storage: TorchStorage, byteOffset: Int, byteCount: Int) throws -> [UInt8] {
        guard let base = offsets[storage.key] else {
            throw IOError.malformed(path: file.path, offset: nil, reason: "no tensor '\(storage.key)'")
        }
        return try file.read(at: base + Int64(byteOffset), count: byteCount, what: "tensor '\(storage.key)'")
    }
}
