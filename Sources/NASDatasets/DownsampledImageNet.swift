import Checksums
import NASDataIO
import Pickle
import ImageSet

/// The Downsampled-ImageNet release (Chrabaszcz, Loshchilov, Hutter 2017) at 16x16:
/// `train_data_batch_1..10` and `val_data`, each a pickle of
/// `{'data': uint8 [N, 768] (R plane, G plane, B plane of 16x16), 'labels': [int 1..1000], 'mean': float64 [768]}`
/// (`val_data` without `mean`).
public enum DownsampledImageNet {
    public static let trainFiles = (1...10).map { "train_data_batch_\($0)" }
    public static let valFile = "val_data"
    /// Largest batch file accepted (the real ones are ~100 MB).
    public static let maxFileSize = 1 << 30

    /// One decoded batch file.
    public struct Batch {
        /// N x (3 * side * side), planar CHW rows as stored.
        public var data: [UInt8]
        public var labels: [Int]
        public var side: Int
        public var count: Int { labels.count }

        /// Row `i` as HWC (interleaved RGB) bytes, the HDF5 layout.
        public func hwc(_ i: Int) -> [UInt8] {
            let plane = side * side
            let base = i * plane * 3
            var out = [UInt8](repeating: 0, count: plane * 3)
            for p in 0..<plane {
                out[p * 3] = data[base + p]
                out[p * 3 + 1] = data[base + plane + p]
                out[p * 3 + 2] = data[base + 2 * plane + p]
            }
            return out
        }
    }

    /// Reads `path`, checks its MD5 against `expectedMD5` (when given) and decodes it.
    /// Returns the batch and whether the MD5 matched.
    public static func read(path: String, expectedMD5: String?, allowUnverified: Bool) throws -> (Batch, verified: Bool) {
        let stream = try FileByteStream(path: path)
        guard stream.size <= Int64(maxFileSize) else {
            throw IOError.malformed(path: path, offset: nil, reason: "\(stream.size) bytes is too large for a Downsampled-ImageNet batch")
        }
        let bytes = try stream.readToEnd(limit: maxFileSize)
        var verified = false
        if let expectedMD5 {
            let md5 = MD5.hash(bytes).hex
            verified = md5 == expectedMD5
            if !verified && !allowUnverified {
                throw ChecksumMismatch(path: path, algorithm: "MD5", expected: expectedMD5, actual: md5)
            }
        }
        return (try parse(bytes, path: path), verified)
    }

    /// Decodes a batch pickle (any protocol; Python 2 strings as latin-1).
    public static func parse(_ bytes: [UInt8], path: String) throws -> Batch {
        let root = try Unpickler.load(bytes: bytes, name: path)
        func bad(_ why: String) -> IOError { .malformed(path: path, offset: nil, reason: "not a Downsampled-ImageNet batch: " + why) }
        guard let dict = root.dict else { throw bad("the pickle holds \(root.typeName), not a dict") }
        guard let dataValue = dict[.string("data")] else { throw bad("no 'data' key") }
        guard let array = dataValue.ndarray else { throw bad("'data' is \(dataValue.typeName), not a numpy array") }
        guard let labelsValue = dict[.string("labels")] else { throw bad("no 'labels' key") }
        var labels: [Int] = []
        if let list = labelsValue.list {
            labels.reserveCapacity(list.count)
            for v in list {
                guard let l = v.int else { throw bad("a label is \(v.typeName), not an int") }
                labels.append(l)
            }
        } else if let a = labelsValue.ndarray {
            labels = try integers(a, bad: bad)
        } else {
            throw bad("'labels' is \(labelsValue.typeName), not a list of int")
        }
        return try batch(data: array, labels: labels, bad: bad)
    }

    /// 1-D integer array (the `.npz` labels, or a pickle's numpy labels) as Ints.
    static func integers(_ a: NDArray, bad: (String) -> IOError) throws -> [Int] {
        guard a.dtype.kind == "i" || a.dtype.kind == "u", let t = try? a.tensor(), t.shape.count == 1 else {
            throw bad("'labels' is \(a.dtype) \(a.shape), not a 1-D integer array")
        }
        return t.floatValues().map { Int($0) }
    }

    /// Checks `data` (uint8 [N, 3*side*side], C order) against `labels` and makes the batch.
    static func batch(data array: NDArray, labels: [Int], bad: (String) -> IOError) throws -> Batch {
        guard array.dtype.kind == "u", array.dtype.itemSize == 1, array.shape.count == 2, !array.isFortranOrder else {
            throw bad("'data' is \(array.dtype) \(array.shape), expected uint8 [N, 3*side*side] in C order")
        }
        let rowBytes = array.shape[1]
        let side = Int(Double(rowBytes / 3).squareRoot().rounded())
        guard side * side * 3 == rowBytes, side > 0 else { throw bad("rows of \(rowBytes) bytes are not 3 x side x side") }
        guard labels.count == array.shape[0] else { throw bad("\(labels.count) labels for \(array.shape[0]) images") }
        return Batch(data: array.data, labels: labels, side: side)
    }
}
