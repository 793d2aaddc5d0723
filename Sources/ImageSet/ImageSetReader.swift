import HDF5

/// Reads one evaluation set of an `nb201-dataset` file in batches.
///
///     let set = try ImageSetReader(path: "cifar.h5", set: "cifar10-valid/x-valid")
///     for start in stride(from: 0, to: set.count, by: 256) {
///         let batch = try set.readBatch(start: start, count: min(256, set.count - start))
///         let input = batch.normalizedNCHW(mean: set.mean, std: set.std)  // float32 N x 3 x H x W
///     }
public final class ImageSetReader {
    public let file: File
    /// `dataset/set`, e.g. `cifar10-valid/x-valid`.
    public let setPath: String
    public let count: Int
    public let height: Int
    public let width: Int
    public let classNames: [String]
    /// Per-channel mean/std on the 0..1 scale (from the data set group).
    public let mean: [Double]
    public let std: [Double]
    /// The stored content digest (`sha256-sum256`), if the set has one.
    public let digest: String?
    /// Images per chunk: reads of this many, aligned, touch one chunk.
    public let chunkImages: Int

    private let images: Dataset
    private let labels: Dataset
    private let indices: Dataset

    public convenience init(path: String, set: String) throws {
        try self.init(file: File.open(path), set: set)
    }

    public init(file: File, set: String) throws {
        let trimmed = set.hasPrefix("/") ? String(set.dropFirst()) : set
        let parts = trimmed.split(separator: "/").map(String.init)
        guard parts.count == 2 else {
            throw HDF5Error(.objectNotFound, file: file.filePath, object: set,
                            "an image set is named DATASET/SET, e.g. cifar10-valid/x-valid; sets here: \((try? Self.sets(in: file).joined(separator: ", ")) ?? "?")")
        }
        guard try file.exists(trimmed) else {
            throw HDF5Error(.objectNotFound, file: file.filePath, object: set,
                            "no such image set; sets here: \((try? Self.sets(in: file).joined(separator: ", ")) ?? "none")")
        }
        self.file = file
        self.setPath = trimmed
        let dataset = try file.openGroup(parts[0])
        let group = try file.openGroup(trimmed)
        images = try group.openDataset("images")
        labels = try group.openDataset("labels")
        indices = try group.openDataset("indices")
        let shape = images.shape
        guard shape.count == 4, shape[3] == 3 else {
            throw HDF5Error(.shapeMismatch, file: file.filePath, object: images.name, "images have shape \(shape), expected N x H x W x 3")
        }
        guard labels.shape == [shape[0]], indices.shape == [shape[0]] else {
            throw HDF5Error(.shapeMismatch, file: file.filePath, object: group.name,
                            "labels \(labels.shape) / indices \(indices.shape) do not match \(shape[0]) images")
        }
        count = shape[0]
        height = shape[1]
        width = shape[2]
        classNames = try dataset.openDataset("class_names").readStrings()
        mean = (try dataset.attribute("mean"))?.doublesValue ?? [0, 0, 0]
        std = (try dataset.attribute("std"))?.doublesValue ?? [1, 1, 1]
        digest = (try group.attribute("digest"))?.stringValue
        chunkImages = (try group.attribute("chunk_images"))?.intValue.map(Int.init) ?? ImageSetLayout.defaultChunkImages
    }

    /// Records `start ..< start + count`.
    public func readBatch(start: Int, count n: Int) throws -> ImageBatch {
        guard start >= 0, n >= 0, start + n <= count else {
            throw HDF5Error(.shapeMismatch, file: file.filePath, object: setPath, "records \(start)..<\(start + n) are outside 0..<\(count)")
        }
        guard n > 0 else { return ImageBatch(height: height, width: width, images: [], labels: [], indices: []) }
        return ImageBatch(
            height: height, width: width,
            images: try images.read(as: UInt8.self, start: [start, 0, 0, 0], count: [n, height, width, 3]),
            labels: try labels.read(as: Int64.self, start: [start], count: [n]),
            indices: try indices.read(as: Int64.self, start: [start], count: [n]))
    }

    /// Every `dataset/set` in the file that has an `images` dataset: data sets by name,
    /// sets in NAS-Bench-201's order (train, x-valid, x-test, ori-test, then others).
    public static func sets(in file: File) throws -> [String] {
        var result: [String] = []
        for (name, kind) in try file.members() where kind == .group {
            let group = try file.openGroup(name)
            let order = { (set: String) in ImageSetLayout.setNames.firstIndex(of: set) ?? ImageSetLayout.setNames.count }
            let sets = try group.members().filter { $0.kind == .group }.map(\.name)
                .sorted { (order($0), $0) < (order($1), $1) }
            for set in sets where try file.exists("\(name)/\(set)/images") { result.append("\(name)/\(set)") }
        }
        return result
    }
}

/// A batch of records: images HWC uint8 back to back, labels, original indices.
public struct ImageBatch: Sendable {
    public let height: Int
    public let width: Int
    public let images: [UInt8]
    public let labels: [Int64]
    public let indices: [Int64]
    public var count: Int { labels.count }

    /// Image `i` as HWC bytes.
    public func image(_ i: Int) -> ArraySlice<UInt8> {
        let size = height * width * 3
        return images[(i * size)..<((i + 1) * size)]
    }

    /// The network input: float32 N x 3 x H x W, `(pixel / 255 - mean) / std`.
    public func normalizedNCHW(mean: [Double], std: [Double]) -> [Float] {
        let plane = height * width
        var out = [Float](repeating: 0, count: count * 3 * plane)
        let scale = (0..<3).map { Float(1 / (255 * std[$0])) }
        let shift = (0..<3).map { Float(mean[$0] / std[$0]) }
        images.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for n in 0..<count {
                    let s = n * plane * 3
                    let d = n * plane * 3
                    for p in 0..<plane {
                        for c in 0..<3 {
                            dst[d + c * plane + p] = Float(src[s + p * 3 + c]) * scale[c] - shift[c]
                        }
                    }
                }
            }
        }
        return out
    }
}
