import NASDataIO
import Pickle
import ImageSet

/// Decodes CIFAR's python files: Python 2 pickles (read through nasdata's restricted
/// unpickler, strings as latin-1) of a dict with `data` (numpy uint8 [N, 3072], planar
/// R, G, B) and `labels` (CIFAR-10) or `fine_labels` (CIFAR-100); the meta file holds
/// `label_names` / `fine_label_names`.
public enum CIFARPythonBatch {
    /// Images (converted to HWC) and labels of one batch file.
    public static func decode(_ bytes: [UInt8], path: String, layout: CIFARLayout) throws -> CIFARRecords {
        let (array, labels) = try load(bytes, path: path, layout: layout)
        var records = CIFARRecords()
        records.labels = labels
        records.images.reserveCapacity(labels.count * CIFARImage.byteCount)
        array.data.withUnsafeBytes { CIFARImage.appendInterleaved(planar: $0, count: labels.count, to: &records.images) }
        return records
    }

    /// Decodes a batch file and hands its records over in pieces of at most
    /// `recordsPerPiece`, so only the file's bytes (released as soon as they are
    /// unpickled), the array and one converted piece are in memory at a time.
    @discardableResult
    public static func decode(consuming bytes: inout [UInt8], path: String, layout: CIFARLayout, recordsPerPiece: Int = 2048,
                              _ body: (CIFARRecords) throws -> Void) throws -> Int {
        let (array, labels) = try load(bytes, path: path, layout: layout)
        bytes = []
        var start = 0
        try array.data.withUnsafeBytes { raw in
            while start < labels.count {
                let n = min(recordsPerPiece, labels.count - start)
                var piece = CIFARRecords()
                piece.labels = Array(labels[start..<(start + n)])
                piece.images.reserveCapacity(n * CIFARImage.byteCount)
                let planar = UnsafeRawBufferPointer(rebasing: raw[(start * CIFARImage.byteCount)..<((start + n) * CIFARImage.byteCount)])
                CIFARImage.appendInterleaved(planar: planar, count: n, to: &piece.images)
                try body(piece)
                start += n
            }
        }
        return labels.count
    }

    /// The number of records, checking the file as `decode` does but converting nothing.
    public static func count(_ bytes: [UInt8], path: String, layout: CIFARLayout) throws -> Int {
        try load(bytes, path: path, layout: layout).1.count
    }

    public static func classNames(_ bytes: [UInt8], path: String, layout: CIFARLayout) throws -> [String] {
        let value = try unpickle(bytes, path: path)
        let key = layout.variant == .cifar10 ? "label_names" : "fine_label_names"
        guard let names = field(value, key).list?.compactMap(\.string), names.count == layout.variant.classCount else {
            throw IOError.malformed(path: path, offset: nil,
                                    reason: "no list of \(layout.variant.classCount) strings under '\(key)': not the \(layout.variant.displayName) meta file")
        }
        return names
    }

    private static func unpickle(_ bytes: [UInt8], path: String) throws -> PickleValue {
        // Python 2 `str` as bytes: the 30 MB pixel string then goes to numpy's state as
        // is, instead of through a latin-1 String and back (seconds per batch).
        var options = Unpickler.Options()
        options.python2Strings = .bytes
        do {
            return try Unpickler.load(bytes: bytes, name: path, options: options)
        } catch {
            throw IOError.malformed(path: path, offset: nil, reason: "not a readable CIFAR pickle: \(error)")
        }
    }

    /// A dict entry whose key is a Python 2 `str` (read as bytes) or a Python 3 `str`.
    private static func field(_ dict: PickleValue, _ key: String) -> PickleValue {
        let asBytes = dict[.bytes(Array(key.utf8))]
        if case .none = asBytes { return dict[.string(key)] }
        return asBytes
    }

    private static func load(_ bytes: [UInt8], path: String, layout: CIFARLayout) throws -> (NDArray, [Int64]) {
        let value = try unpickle(bytes, path: path)
        func bad(_ reason: String) -> IOError { .malformed(path: path, offset: nil, reason: "not a \(layout.variant.displayName) python batch: " + reason) }
        guard case .ndarray(let array) = field(value, "data") else { throw bad("no numpy array under 'data'") }
        guard array.dtype.kind == "u", array.dtype.itemSize == 1 else { throw bad("'data' has dtype \(array.dtype), expected uint8") }
        guard array.shape.count == 2, array.shape[1] == CIFARImage.byteCount, !array.isFortranOrder else {
            throw bad("'data' has shape \(array.shape), expected [N, \(CIFARImage.byteCount)] in C order")
        }
        guard array.data.count == array.shape[0] * CIFARImage.byteCount else {
            throw bad("'data' holds \(array.data.count) bytes for shape \(array.shape)")
        }
        let key = layout.variant == .cifar10 ? "labels" : "fine_labels"
        guard let list = field(value, key).list else { throw bad("no list under '\(key)'") }
        var labels: [Int64] = []
        labels.reserveCapacity(list.count)
        for (i, item) in list.enumerated() {
            guard let label = item.int, (0..<layout.variant.classCount).contains(label) else {
                throw bad("'\(key)'[\(i)] is \(item), not a class 0..<\(layout.variant.classCount)")
            }
            labels.append(Int64(label))
        }
        guard labels.count == array.shape[0] else {
            throw bad("\(labels.count) labels for \(array.shape[0]) images")
        }
        return (array, labels)
    }
}
