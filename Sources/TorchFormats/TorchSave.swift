import NASDataIO
import Pickle
import Tensors

/// Writes PyTorch's zip checkpoint format, so that
/// `torch.load(path, weights_only=True)` returns the state dict and
/// `module.load_state_dict(sd, strict=True)` accepts it.
///
///     try TorchSave.writeStateDict(sd, to: "weights.pth")
///
/// Layout as torch 2.x writes it: `<name>/data.pkl` (an OrderedDict of
/// `_rebuild_tensor_v2` calls on persistent-id storages), `<name>/data/<i>` (one
/// storage per tensor, 64-byte aligned), `byteorder`, `version`, `.format_version`,
/// `.storage_alignment`, `.data/serialization_id`. Written to a temporary file and
/// renamed into place (AtomicOutput).
public enum TorchSave {
    public static func writeStateDict(_ sd: StateDict, to path: String) throws {
        // torch names the archive folder after the file (without extension).
        var stem = String(path.split(separator: "/").last ?? "archive")
        if let dot = stem.lastIndex(of: "."), dot != stem.startIndex { stem = String(stem[..<dot]) }
        if stem.isEmpty { stem = "archive" }
        try AtomicOutput.write(to: path) { temp in
            let zip = try ZipWriter(path: temp)
            try zip.add("\(stem)/data.pkl", dataPickle(sd))
            try zip.add("\(stem)/.format_version", Array("1".utf8))
            try zip.add("\(stem)/.storage_alignment", Array("64".utf8))
            try zip.add("\(stem)/byteorder", Array("little".utf8))
            for (i, entry) in sd.entries.enumerated() {
                try zip.add("\(stem)/data/\(i)", entry.tensor.bytes)
            }
            try zip.add("\(stem)/version", Array("3\n".utf8))
            try zip.add("\(stem)/.data/serialization_id", Array(serializationID(sd).utf8))
            try zip.finish()
        }
    }

    /// The `data.pkl` pickle for `sd` (storage i holds tensor i, contiguous).
    static func dataPickle(_ sd: StateDict) -> [UInt8] {
        var w = PickleWriter()
        w.global("collections", "OrderedDict")
        w.emptyTuple()
        w.reduce()
        for chunk in stride(from: 0, to: sd.count, by: 1000) {
            w.mark()
            for i in chunk..<min(chunk + 1000, sd.count) {
                let (name, t) = sd.entries[i]
                w.string(name)
                w.global("torch._utils", "_rebuild_tensor_v2")
                w.mark()
                // persistent id ('storage', torch.XStorage, key, 'cpu', numel)
                w.mark()
                w.string("storage")
                w.global("torch", t.dtype.torchStorageName)
                w.string(String(i))
                w.string("cpu")
                w.int(t.elementCount)
                w.tupleFromMark()
                w.binpersid()
                w.int(0)
                w.mark(); for d in t.shape { w.int(d) }; w.tupleFromMark()
                w.mark(); for s in contiguousStrides(t.shape) { w.int(s) }; w.tupleFromMark()
                w.bool(false)
                w.global("collections", "OrderedDict"); w.emptyTuple(); w.reduce()
                w.tupleFromMark()
                w.reduce()
            }
            w.setitems()
        }
        w.stop()
        return w.bytes
    }

    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in shape.indices.reversed() { s[i] = acc; acc *= max(shape[i], 1) }
        return s
    }

    /// A 40-digit id derived from the content (torch uses random digits; deterministic output is nicer).
    static func serializationID(_ sd: StateDict) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for (name, t) in sd.entries {
            for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            for b in t.bytes.prefix(4096) { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        }
        var digits = ""
        var x = h
        while digits.count < 40 { digits += String(x % 10); x = x / 10 == 0 ? h &* 31 &+ UInt64(digits.count) : x / 10 }
        return digits
    }
}
