import Checksums
import Foundation
import HDF5
import NASDataIO
import ImageSet

/// Everything `build-imagenet16` needs to build from an ILSVRC2012 tree.
public struct ImageNet16ILSVRCOptions: Sendable {
    public var root: String
    public var classMap: String
    /// The devkit ground truth (not needed when `val/` has class folders).
    public var valLabels: String?
    public var classes = 120
    /// Directory holding `imagenet-16-120-test-split.txt`; nil: no x-valid / x-test.
    public var splitsDirectory: String?
    /// Accept a split file whose checksum is not the published one.
    public var allowUnverified = false
    /// Shard `k` of `n` (k from 0 to n-1): only the labels of that shard, no x-valid / x-test.
    public var shard: (k: Int, n: Int)?
    public var keepGoing = false
    public var downsample = ImageNet16DownsampleOptions()
    public var batchSize = 1024

    public init(root: String, classMap: String) {
        self.root = root
        self.classMap = classMap
    }
}

/// What a build wrote.
public struct ImageNet16BuildReport: Sendable {
    public var output: String
    public var dataset: String
    public var sets: [ImageSetSummary] = []
    public var failures: [ImageFailure] = []
    public var seconds: Double = 0
    public var imagesDecoded = 0
    public var notes: [String] = []
}

public enum ImageNet16Build {
    public static let splitFileName = "imagenet-16-120-test-split.txt"

    /// Reads and checks the official x-valid / x-test split (MD5 against the published one).
    public static func loadSplit(directory: String, allowUnverified: Bool) throws -> (xvalid: [Int], xtest: [Int], note: String) {
        let path = directory + "/" + splitFileName
        let split = try SplitFile.read(path: path)
        guard let xvalid = split["xvalid"], let xtest = split["xtest"] else {
            throw IOError.malformed(path: path, offset: nil, reason: "has keys \(split.lists.map(\.key)), expected xvalid and xtest")
        }
        let md5 = try FileHasher.hash(path: path, algorithms: [.md5]).md5!.hex
        let known = KnownOriginals.splitFiles[splitFileName]!.md5
        var note = "\(splitFileName): verified (published MD5)"
        if md5 != known {
            guard allowUnverified else { throw ChecksumMismatch(path: path, algorithm: "MD5", expected: known, actual: md5) }
            note = "\(splitFileName): unverified (MD5 \(md5) is not the published \(known); allowed)"
        }
        return (xvalid, xtest, note)
    }

    /// Builds `output` (HDF5, written atomically) from an ILSVRC2012 tree.
    public static func fromILSVRC(_ options: ImageNet16ILSVRCOptions, output: String) throws -> ImageNet16BuildReport {
        let start = Date()
        // Everything cheap is checked before the output file exists.
        let map = try ILSVRCClassMap.read(path: options.classMap)
        let tree = try ILSVRCTree(root: options.root, classMap: map, classes: options.classes)
        var labels = 1...options.classes
        if let shard = options.shard {
            guard let range = ILSVRCImageNet16Builder.shardLabels(shard.k, of: shard.n, classes: options.classes) else {
                throw IOError.malformed(path: options.root, offset: nil,
                                        reason: "--shard \(shard.k)/\(shard.n) is not K/N with 0 <= K < N <= \(options.classes) (classes)")
            }
            labels = range
        }
        var split: (xvalid: [Int], xtest: [Int], note: String)?
        if let dir = options.splitsDirectory, options.shard == nil {
            split = try loadSplit(directory: dir, allowUnverified: options.allowUnverified)
        }
        let builder = ILSVRCImageNet16Builder(tree: tree, options: options.downsample, labels: labels)
        builder.keepGoing = options.keepGoing
        builder.batchSize = options.batchSize
        let valImages = try tree.valImages(groundTruth: options.valLabels).filter { labels.contains($0.label) }
        let trainCount = try labels.reduce(0) { $0 + (try tree.trainImages(label: $1).count) }
        guard trainCount > 0 else { throw ImageNet16BuildError.noImages("\(options.root)/train/<wnid>/ for labels \(labels)") }
        if let split, split.xvalid.count + split.xtest.count != valImages.count {
            throw ImageNet16BuildError.splitMismatch(splitTotal: split.xvalid.count + split.xtest.count, valCount: valImages.count)
        }

        let size = options.downsample.size
        let origin = "ILSVRC2012 (\(options.root))"
        var report = ImageNet16BuildReport(output: output, dataset: ImageNet16Layout.datasetName(classes: options.classes))
        if let split { report.notes.append(split.note) }
        let progress = NASDataIO.Progress("build-imagenet16", total: Int64(trainCount + valImages.count), unit: "images")
        try File.writeAtomically(to: output) { file in
            try ImageSetLayout.markRoot(file)
            let source = "\(origin): open, convert(\"RGB\"), Pillow BOX resize to \(size)x\(size)"
                + (options.downsample.fastDecode ? " (fast mode: DCT-scaled decode, not Pillow-exact)" : " (Pillow-exact)")
                + ", labels \(labels.lowerBound)...\(labels.upperBound) of map_clsloc.txt, order: label then file name"
            let group = try ImageNet16Layout.createDataset(
                in: file, classes: Array(map.entries.prefix(options.classes)), size: size, source: source,
                shard: options.shard.map { ($0.k, $0.n, labels) })
            let train = try ImageNet16Layout.writer(group, "train", size: size, source: ImageNet16Layout.setSource("train", from: origin))
            try builder.buildTrain(into: train, progress: progress)
            let oriTest = try ImageNet16Layout.writer(group, "ori-test", size: size, source: ImageNet16Layout.setSource("ori-test", from: origin))
            var router: SplitRouter?
            var splitWriters: [ImageSetWriter] = []
            if let split {
                let xv = try ImageNet16Layout.writer(group, "x-valid", size: size, source: ImageNet16Layout.setSource("x-valid", from: origin))
                let xt = try ImageNet16Layout.writer(group, "x-test", size: size, source: ImageNet16Layout.setSource("x-test", from: origin))
                splitWriters = [xv, xt]
                router = SplitRouter(xvalid: split.xvalid, xtest: split.xtest, xValid: xv, xTest: xt)
            }
            try builder.buildValidation(groundTruth: options.valLabels, into: oriTest, split: router, progress: progress)
            report.sets.append(try train.finish())
            report.sets.append(try oriTest.finish())
            for w in splitWriters { report.sets.append(try w.finish()) }
        }
        progress.finish()
        report.failures = builder.failures
        report.imagesDecoded = trainCount + valImages.count
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    /// Concatenates shard files (any order on the command line; sorted by their label
    /// ranges, which must tile 1...classes) into one file, adding x-valid / x-test.
    public static func merge(shards: [String], output: String, splitsDirectory: String?, allowUnverified: Bool) throws -> ImageNet16BuildReport {
        let start = Date()
        struct Shard { let path: String; let file: File; let group: Group; let labels: ClosedRange<Int>; let n: Int }
        var parts: [Shard] = []
        for path in shards {
            let file = try File.open(path)
            guard let name = try file.memberNames().first(where: { $0.hasPrefix("ImageNet16-") }) else {
                throw IOError.malformed(path: path, offset: nil, reason: "no ImageNet16-<classes> group: not a build-imagenet16 shard")
            }
            let group = try file.openGroup(name)
            guard let shard = (try group.attribute("shard"))?.stringValue,
                  let range = (try group.attribute("shard_labels"))?.intsValue, range.count == 2 else {
                throw IOError.malformed(path: path, offset: nil, reason: "\(name) has no shard/shard_labels attributes: not a shard (built without --shard)")
            }
            let n = Int(shard.split(separator: "/").last ?? "") ?? 0
            parts.append(Shard(path: path, file: file, group: group, labels: Int(range[0])...Int(range[1]), n: n))
        }
        guard !parts.isEmpty else { throw IOError.malformed(path: output, offset: nil, reason: "no shards to merge") }
        parts.sort { $0.labels.lowerBound < $1.labels.lowerBound }
        let first = parts[0]
        let name = first.group.name.split(separator: "/").last.map(String.init) ?? ""
        let classes = Int(name.dropFirst("ImageNet16-".count)) ?? 0
        var expectedNext = 1
        for p in parts {
            guard p.labels.lowerBound == expectedNext, p.n == parts.count else {
                throw IOError.malformed(path: p.path, offset: nil,
                                        reason: "shards do not tile labels 1...\(classes): expected one starting at label \(expectedNext) of \(parts.count) shards, got labels \(p.labels) of \(p.n)")
            }
            guard (p.group.name.split(separator: "/").last.map(String.init) ?? "") == name else {
                throw IOError.malformed(path: p.path, offset: nil, reason: "holds \(p.group.name), the first shard holds \(name)")
            }
            expectedNext = p.labels.upperBound + 1
        }
        guard expectedNext == classes + 1 else {
            throw IOError.malformed(path: parts.last!.path, offset: nil, reason: "shards end at label \(expectedNext - 1), expected \(classes): a shard is missing")
        }
        var split: (xvalid: [Int], xtest: [Int], note: String)?
        if let dir = splitsDirectory { split = try loadSplit(directory: dir, allowUnverified: allowUnverified) }
        let valTotal = try parts.reduce(0) { $0 + (try ImageSetReader(file: $1.file, set: name + "/ori-test").count) }
        if let split, split.xvalid.count + split.xtest.count != valTotal {
            throw ImageNet16BuildError.splitMismatch(splitTotal: split.xvalid.count + split.xtest.count, valCount: valTotal)
        }

        var report = ImageNet16BuildReport(output: output, dataset: name)
        if let split { report.notes.append(split.note) }
        let classNames = try first.group.openDataset("class_names").readStrings()
        let wnids = try first.group.openDataset("wnids").readStrings()
        let size = try ImageSetReader(file: first.file, set: name + "/train").height
        let source = ((try first.group.attribute("source"))?.stringValue ?? "")
            .replacingOccurrences(of: "labels \(first.labels.lowerBound)...\(first.labels.upperBound)", with: "labels 1...\(classes)")
            + "; merged from \(parts.count) shards"
        try File.writeAtomically(to: output) { file in
            try ImageSetLayout.markRoot(file)
            let entries = zip(wnids, classNames).enumerated().map { ILSVRCClassMap.Entry(wnid: $1.0, label: $0 + 1, name: $1.1) }
            let group = try ImageNet16Layout.createDataset(in: file, classes: entries, size: size, source: source)
            for set in ["train", "ori-test"] {
                let firstSet = try first.file.openGroup(name + "/" + set)
                let writer = try ImageNet16Layout.writer(group, set, size: size,
                                                         source: (try firstSet.attribute("source"))?.stringValue ?? set)
                var router: SplitRouter?
                var splitWriters: [ImageSetWriter] = []
                if set == "ori-test", let split {
                    let xv = try ImageNet16Layout.writer(group, "x-valid", size: size, source: ImageNet16Layout.setSource("x-valid", from: ""))
                    let xt = try ImageNet16Layout.writer(group, "x-test", size: size, source: ImageNet16Layout.setSource("x-test", from: ""))
                    splitWriters = [xv, xt]
                    router = SplitRouter(xvalid: split.xvalid, xtest: split.xtest, xValid: xv, xTest: xt)
                }
                var position: Int64 = 0
                for p in parts {
                    let reader = try ImageSetReader(file: p.file, set: name + "/" + set)
                    var s = 0
                    while s < reader.count {
                        let n = min(reader.chunkImages, reader.count - s)
                        let batch = try reader.readBatch(start: s, count: n)
                        // Train indices are positions in the merged order; val keeps ILSVRC numbers.
                        let indices = set == "train" ? (0..<Int64(n)).map { position + $0 } : batch.indices
                        try writer.append(images: batch.images, labels: batch.labels, indices: indices)
                        try router?.append(images: batch.images, labels: batch.labels, indices: indices)
                        position += Int64(n)
                        s += n
                    }
                }
                report.sets.append(try writer.finish())
                for w in splitWriters { report.sets.append(try w.finish()) }
            }
        }
        report.seconds = Date().timeIntervalSince(start)
        return report
    }
}
