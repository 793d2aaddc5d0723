import NASDataIO
import Pickle
import TorchFormats

/// The `.npz` form of the Downsampled-ImageNet release: `train_data_batch_N.npz` and
/// `val_data.npz`, numpy zips (`np.savez` stored or `np.savez_compressed` deflated) of
/// `data.npy` (uint8 [N, 768]), `labels.npy` (int [N], 1...1000) and, in train files,
/// `mean.npy` (ignored). image-net.org ships them inside `Imagenet16_train_npz.zip` /
/// `Imagenet16_val_npz.zip`; both the archives and the extracted `.npz` files are read.
extension DownsampledImageNet {
    /// Largest `.npy` member read (a real train batch's data is ~100 MB).
    public static let maxNpzMemberSize = 1 << 30

    /// Reads one `.npz` batch file. Each member is CRC-32 checked; one member is in memory at
    /// a time besides the decoded batch. `name` is what errors call the file (default `path`).
    public static func readNpz(path: String, name: String? = nil) throws -> Batch {
        let zip = try ZipReader(path: path)
        let shown = name ?? path
        func bad(_ why: String) -> IOError { .malformed(path: shown, offset: nil, reason: "not a Downsampled-ImageNet .npz batch: " + why) }
        func array(_ member: String) throws -> NDArray {
            guard let e = zip.entry(member + ".npy") else {
                throw bad("no \(member).npy (members: \(zip.entries.map(\.name).joined(separator: ", ")))")
            }
            let bytes = try zip.contents(of: e, limit: maxNpzMemberSize)
            return try NPY.readArray(bytes: bytes, name: "\(shown): \(e.name)")
        }
        let labels = try integers(try array("labels"), bad: bad)
        return try batch(data: try array("data"), labels: labels, bad: bad)
    }
}
