import Foundation
import NASDataIO

/// Where the records of one set go: `ImageSetWriter` (HDF5), a test collector, ...
/// Records arrive in their final order; images are HWC RGB bytes back to back.
public protocol ImageRecordSink: AnyObject {
    func append(images hwc: [UInt8], labels: [Int64], indices: [Int64]) throws
}

/// Routes the validation set (ori-test) to x-valid / x-test as records stream by, using
/// the official split (sorted index lists into ori-test): no buffering of the set.
public final class SplitRouter: ImageRecordSink {
    private let xValid: ImageRecordSink
    private let xTest: ImageRecordSink
    private let inValid: [Bool]
    private var position = 0
    public let total: Int

    /// `xvalid` and `xtest` must be disjoint and cover `0 ..< total`.
    public init(xvalid: [Int], xtest: [Int], xValid: ImageRecordSink, xTest: ImageRecordSink) {
        total = xvalid.count + xtest.count
        var flags = [Bool](repeating: false, count: total)
        for i in xvalid where i >= 0 && i < total { flags[i] = true }
        inValid = flags
        self.xValid = xValid
        self.xTest = xTest
    }

    public var routed: Int { position }

    public func append(images hwc: [UInt8], labels: [Int64], indices: [Int64]) throws {
        let stride = labels.isEmpty ? 0 : hwc.count / labels.count
        var v = ([UInt8](), [Int64](), [Int64]()), t = ([UInt8](), [Int64](), [Int64]())
        for k in 0..<labels.count {
            let i = position + k
            guard i < total else { break }
            let image = hwc[(k * stride)..<((k + 1) * stride)]
            // The index stored in x-valid / x-test is the record's position in ori-test,
            // which is what the split file lists.
            if inValid[i] { v.0 += image; v.1.append(labels[k]); v.2.append(Int64(i)) }
            else { t.0 += image; t.1.append(labels[k]); t.2.append(Int64(i)) }
        }
        position += labels.count
        if !v.1.isEmpty { try xValid.append(images: v.0, labels: v.1, indices: v.2) }
        if !t.1.isEmpty { try xTest.append(images: t.0, labels: t.1, indices: t.2) }
    }
}

/// Why a build stopped.
public enum ImageNet16BuildError: Error, CustomStringConvertible {
    /// An image failed and `--keep-going` was not given.
    case imageFailed(ImageFailure)
    /// The split file does not fit the validation set that was built.
    case splitMismatch(splitTotal: Int, valCount: Int)
    case noImages(String)

    public var description: String {
        switch self {
        case let .imageFailed(f): return "\(f.message) (use --keep-going to skip and list such images)"
        case let .splitMismatch(s, v):
            return "the split file indexes \(s) validation images but \(v) were built; the official imagenet-16-120-test-split.txt needs all 6,000 validation images of labels 1...120"
        case let .noImages(what): return "no images found: \(what)"
        }
    }
}

/// Builds ImageNet16(-120) from an ILSVRC2012 tree: decode, convert to RGB, BOX-resize
/// to `size` x `size`, in the order label then file name, on all cores.
public final class ILSVRCImageNet16Builder {
    public let tree: ILSVRCTree
    public let downsampler: ImageNet16Downsampler
    /// Skip (and list) images that fail instead of stopping.
    public var keepGoing = false
    /// Images decoded per parallel batch (bounds memory: batch * size^2 * 3 bytes).
    public var batchSize = 1024
    /// Labels (1-based, CLS-LOC) this build covers: all of 1...classes, or a shard's range.
    public let labels: ClosedRange<Int>
    public private(set) var failures: [ImageFailure] = []

    public init(tree: ILSVRCTree, options: ImageNet16DownsampleOptions, labels: ClosedRange<Int>? = nil) {
        self.tree = tree
        self.downsampler = ImageNet16Downsampler(options: options)
        self.labels = labels ?? 1...tree.classes
    }

    /// The labels of shard `k` (0-based, 0...n-1) of `n`: contiguous, nearly equal ranges of 1...classes.
    public static func shardLabels(_ k: Int, of n: Int, classes: Int) -> ClosedRange<Int>? {
        guard n >= 1, k >= 0, k < n, n <= classes else { return nil }
        return (k * classes / n + 1)...((k + 1) * classes / n)
    }

    /// Streams the training images of `labels` into `sink`; returns the count written.
    /// Record indices are positions in this build's train order.
    @discardableResult
    public func buildTrain(into sink: ImageRecordSink, progress: NASDataIO.Progress? = nil) throws -> Int {
        var written = 0
        var pending: [ILSVRCImage] = []
        for label in labels {
            pending += try tree.trainImages(label: label)
            while pending.count >= batchSize {
                written += try run(Array(pending.prefix(batchSize)), into: sink, firstIndex: written, progress: progress, useOriginalIndex: false)
                pending.removeFirst(batchSize)
            }
        }
        written += try run(pending, into: sink, firstIndex: written, progress: progress, useOriginalIndex: false)
        return written
    }

    /// Streams the validation images of `labels` into `sink` (ori-test), and when a split
    /// is given also into x-valid / x-test. Record indices: the `ILSVRC2012_val` number - 1.
    @discardableResult
    public func buildValidation(groundTruth: String?, into oriTest: ImageRecordSink,
                                split: SplitRouter? = nil, progress: NASDataIO.Progress? = nil) throws -> Int {
        let images = try tree.valImages(groundTruth: groundTruth).filter { labels.contains($0.label) }
        if let split, split.total != images.count, !keepGoing {
            throw ImageNet16BuildError.splitMismatch(splitTotal: split.total, valCount: images.count)
        }
        let fanout = Fanout([oriTest] + (split.map { [$0] } ?? []))
        var written = 0
        var start = 0
        while start < images.count {
            let batch = Array(images[start..<min(start + batchSize, images.count)])
            written += try run(batch, into: fanout, firstIndex: written, progress: progress, useOriginalIndex: true)
            start += batch.count
        }
        if let split, split.total != written {
            throw ImageNet16BuildError.splitMismatch(splitTotal: split.total, valCount: written)
        }
        return written
    }

    private func run(_ batch: [ILSVRCImage], into sink: ImageRecordSink, firstIndex: Int, progress: NASDataIO.Progress?,
                     useOriginalIndex: Bool) throws -> Int {
        guard !batch.isEmpty else { return 0 }
        var onEach: (@Sendable () -> Void)? = nil
        if let progress { onEach = { progress.advance() } }
        let (pixels, batchFailures) = downsampler.process(batch.map(\.path), onEach: onEach)
        let stride = downsampler.imageBytes
        var hwc: [UInt8] = []
        hwc.reserveCapacity(pixels.count)
        var labels: [Int64] = [], indices: [Int64] = []
        for (i, image) in batch.enumerated() {
            if let failure = batchFailures[i] {
                let relative = ImageFailure(path: image.relativePath, message: failure.message)
                guard keepGoing else { throw ImageNet16BuildError.imageFailed(relative) }
                failures.append(relative)
                continue
            }
            hwc += pixels[(i * stride)..<((i + 1) * stride)]
            labels.append(Int64(image.label - 1))
            indices.append(Int64(useOriginalIndex ? image.originalIndex : firstIndex + labels.count - 1))
        }
        try sink.append(images: hwc, labels: labels, indices: indices)
        return labels.count
    }
}

/// Sends every record to several sinks.
final class Fanout: ImageRecordSink {
    let sinks: [ImageRecordSink]
    init(_ sinks: [ImageRecordSink]) { self.sinks = sinks }
    func append(images hwc: [UInt8], labels: [Int64], indices: [Int64]) throws {
        for s in sinks { try s.append(images: hwc, labels: labels, indices: indices) }
    }
}

/// Collects records in memory (tests, previews).
public final class CollectingSink: ImageRecordSink {
    public private(set) var images: [UInt8] = []
    public private(set) var labels: [Int64] = []
    public private(set) var indices: [Int64] = []
    public init() {}
    public func append(images hwc: [UInt8], labels l: [Int64], indices i: [Int64]) throws {
        images += hwc; labels += l; indices += i
    }
}
