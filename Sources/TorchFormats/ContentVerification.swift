import NASDataIO
import Pickle
import Tensors

/// Complete structural checks of the formats this module reads, for `nasdata verify`
/// on files it recognises by content: everything a loader would touch is read, and
/// what the format records about itself (CRC-32s, sizes, offsets) is compared.
public enum ContentVerification {
    public struct CheckpointSummary: Sendable, Equatable {
        public var format: TorchCheckpoint.Format
        /// Zip entries whose CRC-32 was recomputed (0 for legacy files).
        public var entriesChecked: Int
        public var tensors: Int
        /// Bytes of tensor data read.
        public var tensorBytes: Int64
    }

    /// Loads a torch checkpoint (legacy or zip), recomputes the CRC-32 of every zip entry,
    /// and reads every tensor it holds (each view's bytes, from its storage). Classes the
    /// allow-list does not know are kept as opaque objects (never called), so a whole
    /// pickled model is checked too.
    public static func checkpoint(path: String) throws -> CheckpointSummary {
        let format = try TorchCheckpoint.format(of: path)
        let entries = try TorchCheckpoint.verifyChecksums(path: path)
        var options = Unpickler.Options()
        options.allGlobalsOpaque = true
        let root = try TorchCheckpoint.load(path: path, options: options)
        var summary = CheckpointSummary(format: format, entriesChecked: entries, tensors: 0, tensorBytes: 0)
        try forEachTensor(in: root) { t in
            let tensor = try t.materialize()
            summary.tensors += 1
            summary.tensorBytes += Int64(tensor.bytes.count)
        }
        return summary
    }

    /// Parses a plain pickle (or a bz2-compressed one, `kind: .pickleBz2`, decompressed as it is
    /// parsed) to its STOP (nothing executed; unknown classes kept opaque, dict items dropped as
    /// they complete, so memory stays bounded) and requires the file (the decompressed stream)
    /// to end there. Returns the number of values seen.
    public static func pickle(path: String, kind: AnyFile.Kind = .pickle) throws -> Int {
        var options = Unpickler.Options()
        options.allGlobalsOpaque = true
        let (_, stats) = try TreeStats.gather(path: path, kind: kind, options: options)
        return stats.totalNodes
    }

    /// Safetensors: header JSON, every tensor's dtype, shape and data offsets (contiguous,
    /// no gap or overlap), and a data section that ends exactly at the end of the file.
    public static func safetensors(path: String) throws -> (tensors: Int, dataBytes: Int64) {
        let (index, _) = try Safetensors.index(path: path)
        let dataBytes = Int64(index.entries.last?.end ?? 0)
        let end = index.dataStart + dataBytes
        guard end == index.file.size else {
            throw IOError.malformed(path: path, offset: end,
                                    reason: "\(index.file.size - end) byte(s) after the last tensor's data (the header's offsets end at byte \(end))")
        }
        return (index.entries.count, dataBytes)
    }

    /// Any zip archive (`.npz`, downloads): the central directory, and every entry read
    /// (stored or deflated) with its size and CRC-32 compared. Returns entries and bytes.
    public static func zip(path: String) throws -> (entries: Int, bytes: Int64) {
        let zip = try ZipReader(path: path)
        var bytes: Int64 = 0
        for e in zip.entries {
            try zip.forEachChunk(of: e) { bytes += Int64($0.count) }
        }
        return (zip.entries.count, bytes)
    }

    /// Calls `body` for every tensor in a value tree (iteratively).
    static func forEachTensor(in value: PickleValue, _ body: (TorchTensor) throws -> Void) throws {
        var pending = [value]
        while let v = pending.popLast() {
            switch v {
            case .tensor(let t): try body(t)
            case .list(let l): pending += l.items
            case .tuple(let t): pending += t
            case .dict(let d): pending += d.keys; pending += d.values
            case .set(let s): pending += s.items
            case .object(let o): pending += o.args; if let s = o.state { pending.append(s) }
            default: break
            }
        }
    }
}
