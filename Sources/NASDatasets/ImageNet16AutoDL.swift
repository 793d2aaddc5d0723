import Foundation
import HDF5
import NASDataIO
import Pickle
import TorchFormats
import ImageSet

/// Writes the 11 pickled batch files upstream's `ImageNet16` PyTorch class reads
/// (`xautodl/datasets/DownsampledImageNet.py`): `train_data_batch_1..10` and `val_data`,
/// pickle protocol 2, `{'data': uint8 [N, 3*S*S] (R, G, B planes), 'labels': [int 1..C],
/// 'mean': float64 [3*S*S]}` (`val_data` without `mean`), from a built HDF5 file.
///
/// The train set is cut into 10 contiguous batches of nearly equal size; `mean` is the
/// per-position mean over the whole train set (what the release stores). The files are not
/// the published ones (other order, other decoder), so their MD5s differ: upstream's
/// integrity check must be bypassed to load them. Memory: one batch at a time.
public enum ImageNet16AutoDL {
    /// Returns a one-line note for the report.
    public static func write(from h5: String, dataset: String, to directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = try File.open(h5)
        let train = try ImageSetReader(file: file, set: dataset + "/train")
        let val = try ImageSetReader(file: file, set: dataset + "/ori-test")
        let side = train.height
        let plane = side * side

        // Pass 1: the mean image (planar order) over the train set.
        var sums = [Double](repeating: 0, count: plane * 3)
        try forEachBatch(train, 0..<train.count) { batch in
            for i in 0..<batch.count {
                let img = batch.image(i)
                var p = img.startIndex
                for q in 0..<plane {
                    sums[q] += Double(img[p]); sums[plane + q] += Double(img[p + 1]); sums[2 * plane + q] += Double(img[p + 2])
                    p += 3
                }
            }
        }
        let mean = sums.map { $0 / Double(max(train.count, 1)) }

        // Pass 2: the batches.
        for b in 0..<10 {
            let lo = b * train.count / 10, hi = (b + 1) * train.count / 10
            try writeBatch(train, lo..<hi, mean: mean, to: directory + "/train_data_batch_\(b + 1)")
        }
        try writeBatch(val, 0..<val.count, mean: nil, to: directory + "/val_data")
        return "autodl batches: \(directory)/train_data_batch_1..10 (\(train.count) images), val_data (\(val.count))"
    }

    private static func forEachBatch(_ reader: ImageSetReader, _ range: Range<Int>, _ body: (ImageBatch) throws -> Void) throws {
        var s = range.lowerBound
        while s < range.upperBound {
            let n = min(4096, range.upperBound - s)
            try body(try reader.readBatch(start: s, count: n))
            s += n
        }
    }

    private static func writeBatch(_ reader: ImageSetReader, _ range: Range<Int>, mean: [Double]?, to path: String) throws {
        let plane = reader.height * reader.width
        var data = [UInt8](repeating: 0, count: range.count * plane * 3)
        var labels: [Int] = []
        labels.reserveCapacity(range.count)
        var row = 0
        try forEachBatch(reader, range) { batch in
            for i in 0..<batch.count {
                let img = batch.image(i)
                let base = row * plane * 3
                var p = img.startIndex
                for q in 0..<plane {
                    data[base + q] = img[p]; data[base + plane + q] = img[p + 1]; data[base + 2 * plane + q] = img[p + 2]
                    p += 3
                }
                labels.append(Int(batch.labels[i]) + 1)
                row += 1
            }
        }
        var w = PickleWriter(protocol: 2)
        w.emptyDict()
        w.mark()
        w.string("data")
        w.ndarray(NDArray(dtype: NumpyDType(kind: "u", itemSize: 1), shape: [range.count, plane * 3], data: data))
        w.string("labels")
        w.emptyList()
        if !labels.isEmpty {
            w.mark()
            for l in labels { w.int(l) }
            w.appends()
        }
        if let mean {
            w.string("mean")
            var bytes: [UInt8] = []
            bytes.reserveCapacity(mean.count * 8)
            for m in mean { withUnsafeBytes(of: m.bitPattern.littleEndian) { bytes += $0 } }
            w.ndarray(NDArray(dtype: NumpyDType(kind: "f", itemSize: 8), shape: [mean.count], data: bytes))
        }
        w.setitems()
        w.stop()
        let out = w.bytes
        try AtomicOutput.write(to: path) { temp in
            guard let f = fopen(temp, "wb") else { throw IOError.system(operation: "open", path: temp, errno: errno) }
            defer { fclose(f) }
            guard fwrite(out, 1, out.count, f) == out.count, fflush(f) == 0 else {
                throw IOError.system(operation: "write", path: temp, errno: errno)
            }
        }
    }
}
