import HDF5
import NASDataIO

/// Writes one evaluation set (`cifar10-valid/x-valid`, ...) of the `nb201-dataset`
/// layout: images, labels and original indices, plus the set's content digest.
///
/// Two ways to fill it, both in bounded memory:
/// - `append`: records arrive in order, count unknown; buffered to whole chunks and
///   written chunk by chunk (the first axis grows).
/// - `write(at:)`: records land at known positions in any order (the CIFAR builder
///   routes each original batch straight to its final place). With a count given up
///   front the datasets have that size; without, they grow to the highest position
///   written. Every position must be written exactly once; `finish` checks it.
///
///     let group = try ImageSetLayout.createDataset(in: file, info)
///     let set = try ImageSetWriter(dataset: group, name: "train", height: 32, width: 32)
///     try set.append(images: hwc, labels: labels, indices: indices)
///     let summary = try set.finish()
public final class ImageSetWriter {
    public let group: Group
    public let height: Int
    public let width: Int
    public let chunkImages: Int
    public var imageBytes: Int { height * width * 3 }
    /// Records stored so far.
    public private(set) var count = 0

    private let images: Dataset
    private let labels: Dataset
    private let indices: Dataset
    private let numClasses: Int?
    private let fixedCount: Int?
    private var written: [Bool] = []
    private var digest = ImageSetDigest()
    private var pending = CIFARRecords()
    private var pendingIndices: [Int64] = []
    private var finished = false
    private var positional = false

    /// - dataset: the group of the NB201 data set (its `num_classes` bounds labels).
    /// - count: the final number of records, for `write(at:)`; nil to `append`.
    public init(dataset: Group, name: String, height: Int, width: Int, count: Int? = nil,
                chunkImages: Int = ImageSetLayout.defaultChunkImages, source: String = "") throws {
        precondition(chunkImages > 0)
        self.height = height
        self.width = width
        self.chunkImages = chunkImages
        self.fixedCount = count
        self.numClasses = (try dataset.attribute("num_classes"))?.intValue.map(Int.init)
        let group = try dataset.createGroup(name)
        self.group = group
        let n = count ?? 0
        images = try group.createDataset("images", dtype: .uint8, shape: [n, height, width, 3],
                                         maxShape: [nil, height, width, 3], chunks: [chunkImages, height, width, 3])
        labels = try group.createDataset("labels", dtype: .int64, shape: [n], maxShape: [nil], chunks: [chunkImages])
        indices = try group.createDataset("indices", dtype: .int64, shape: [n], maxShape: [nil], chunks: [chunkImages])
        try group.setAttribute("source", .string(source))
        try group.setAttribute("chunk_images", .int(Int64(chunkImages)))
        if let count { written = [Bool](repeating: false, count: count) }
    }

    /// Appends records in order (images: HWC bytes back to back).
    public func append(images hwc: [UInt8], labels newLabels: [Int64], indices newIndices: [Int64]) throws {
        precondition(fixedCount == nil && !positional, "append on a set written by position; use write(at:)")
        try check(hwc, newLabels, newIndices)
        pending.images.append(contentsOf: hwc)
        pending.labels.append(contentsOf: newLabels)
        pendingIndices.append(contentsOf: newIndices)
        try flushPending(all: false)
    }

    /// Writes `labels.count` records at positions `position ..< position + labels.count`.
    /// `recordDigests` (32 bytes a record, `ImageSetDigest.recordDigests`) saves hashing
    /// records again that go into several sets; nil: computed here.
    public func write(at position: Int, images hwc: [UInt8], labels newLabels: [Int64], indices newIndices: [Int64],
                      recordDigests: [UInt8]? = nil) throws {
        precondition(pending.count == 0 && (positional || count == 0), "write(at:) on a set filled by append")
        positional = true
        try check(hwc, newLabels, newIndices)
        let n = newLabels.count
        guard position >= 0, position + n <= fixedCount ?? Int.max else {
            throw HDF5Error(.shapeMismatch, file: group.filePath, object: group.name,
                            "records \(position)..<\(position + n) are outside the set's \(fixedCount ?? 0)")
        }
        if fixedCount == nil, position + n > written.count {
            written += [Bool](repeating: false, count: position + n - written.count)
            try images.extend(firstDimensionTo: written.count)
            try labels.extend(firstDimensionTo: written.count)
            try indices.extend(firstDimensionTo: written.count)
        }
        for i in position..<(position + n) {
            guard !written[i] else {
                throw HDF5Error(.failed, file: group.filePath, object: group.name, "record \(i) written twice")
            }
            written[i] = true
        }
        try store(hwc, newLabels, newIndices, at: position, recordDigests: recordDigests)
        count += n
    }

    /// Writes what is buffered, checks completeness, stores count and digest.
    @discardableResult
    public func finish() throws -> ImageSetSummary {
        precondition(!finished, "finish called twice")
        finished = true
        if !positional { try flushPending(all: true) }
        let expected = fixedCount ?? (positional ? written.count : count)
        if count != expected {
            let missing = written.firstIndex(of: false) ?? count
            throw HDF5Error(.failed, file: group.filePath, object: group.name,
                            "only \(count) of \(expected) records were written (first missing: \(missing))")
        }
        try group.setAttribute("count", .int(Int64(count)))
        try group.setAttribute("digest", .string(digest.hex))
        try group.setAttribute("digest_algorithm", .string(ImageSetDigest.algorithm))
        return ImageSetSummary(path: group.name, count: count, digest: digest.hex)
    }

    // MARK: -

    private func check(_ hwc: [UInt8], _ newLabels: [Int64], _ newIndices: [Int64]) throws {
        precondition(!finished, "write after finish")
        guard hwc.count == newLabels.count * imageBytes, newIndices.count == newLabels.count else {
            throw HDF5Error(.shapeMismatch, file: group.filePath, object: group.name,
                            "\(hwc.count) image bytes, \(newLabels.count) labels, \(newIndices.count) indices do not describe the same records of \(height)x\(width)x3")
        }
        if let numClasses, let bad = newLabels.first(where: { $0 < 0 || $0 >= numClasses }) {
            throw HDF5Error(.failed, file: group.filePath, object: group.name, "label \(bad) is outside 0..<\(numClasses)")
        }
    }

    /// Writes whole chunks from the buffer (and, with `all`, the partial last one);
    /// compacts the buffer once, so appending big batches stays linear.
    private func flushPending(all: Bool) throws {
        let available = pending.count
        let n = all ? available : available / chunkImages * chunkImages
        guard n > 0 else { return }
        try images.extend(firstDimensionTo: count + n)
        try labels.extend(firstDimensionTo: count + n)
        try indices.extend(firstDimensionTo: count + n)
        var start = 0
        while start < n {
            let m = min(chunkImages, n - start)
            try store(Array(pending.images[(start * imageBytes)..<((start + m) * imageBytes)]),
                      Array(pending.labels[start..<(start + m)]), Array(pendingIndices[start..<(start + m)]), at: count)
            count += m
            start += m
        }
        pending.images.removeFirst(n * imageBytes)
        pending.labels.removeFirst(n)
        pendingIndices.removeFirst(n)
    }

    private func store(_ hwc: [UInt8], _ newLabels: [Int64], _ newIndices: [Int64], at position: Int,
                       recordDigests: [UInt8]? = nil) throws {
        let n = newLabels.count
        guard n > 0 else { return }
        try images.write(hwc, start: [position, 0, 0, 0], count: [n, height, width, 3])
        try labels.write(newLabels, start: [position], count: [n])
        try indices.write(newIndices, start: [position], count: [n])
        if let recordDigests {
            precondition(recordDigests.count == 32 * n, "one 32-byte digest a record")
            digest.add(recordDigests: recordDigests)
        } else {
            digest.add(labels: newLabels, images: hwc)
        }
    }
}

/// What a finished set holds.
public struct ImageSetSummary: Sendable, Equatable {
    /// The set's group path (`/cifar10-valid/x-valid`).
    public let path: String
    public let count: Int
    public let digest: String
}

/// Records of one piece of an original CIFAR file, decoded: HWC images and labels.
public struct CIFARRecords: Sendable {
    /// `count` images of 32 x 32 x 3, HWC, back to back.
    public var images: [UInt8] = []
    /// Fine labels (CIFAR-100) or labels (CIFAR-10), 0-based.
    public var labels: [Int64] = []
    public var count: Int { labels.count }

    public init() {}
    public init(images: [UInt8], labels: [Int64]) {
        self.images = images
        self.labels = labels
    }
}
