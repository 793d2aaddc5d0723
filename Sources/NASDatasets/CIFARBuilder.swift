import Checksums
import Foundation
import HDF5
import NASDataIO
import ImageSet

/// What `nasdata build-cifar` is asked to do.
public struct CIFARBuildOptions: Sendable {
    public var cifar10: String?
    public var cifar100: String?
    /// Where `cifar-split.txt` / `cifar100-test-split.txt` come from (default: the official
    /// files built into nasdata); `.none`: regenerate the CIFAR-10 split over the input's
    /// size (CIFAR-100's test split has no known seed and needs the file).
    public var splits: SplitSource
    /// Build from inputs whose checksum differs from the published original's.
    public var allowUnverified = false
    public var chunkImages = ImageSetLayout.defaultChunkImages
    /// The published python tarball of each variant: MD5 and record counts per file
    /// (replaceable, so tests can exercise the verified path on small fixtures).
    public var knownArchives: [CIFARVariant: KnownArchive] = [
        .cifar10: KnownArchive(md5: KnownOriginals.cifar10Archive.md5, size: 170_498_071, trainCounts: Array(repeating: 10_000, count: 5), testCount: 10_000),
        .cifar100: KnownArchive(md5: KnownOriginals.cifar100Archive.md5, size: 169_001_437, trainCounts: [50_000], testCount: 10_000),
    ]

    public struct KnownArchive: Sendable {
        public var md5: String
        /// Published size in bytes, if known: a different size cannot be the original.
        public var size: Int64?
        public var trainCounts: [Int]
        public var testCount: Int
        public init(md5: String, size: Int64? = nil, trainCounts: [Int], testCount: Int) {
            self.md5 = md5
            self.size = size
            self.trainCounts = trainCounts
            self.testCount = testCount
        }
    }

    public init(cifar10: String? = nil, cifar100: String? = nil, splits: SplitSource = .official, allowUnverified: Bool = false) {
        self.cifar10 = cifar10
        self.cifar100 = cifar100
        self.splits = splits
        self.allowUnverified = allowUnverified
    }
}

/// What a build read and wrote.
public struct CIFARBuildReport: Sendable {
    public struct Input: Sendable {
        public let path: String
        public let variant: String
        public let format: String
        public let container: String
        /// `verified` (published checksum matches), `unverified` (allowed by the user),
        /// or `no published checksum`.
        public let verification: String
        public let md5: String?
    }
    public var inputs: [Input] = []
    public var splits: [String] = []
    public var sets: [ImageSetSummary] = []
    /// The file written.
    public var output = ""
    /// Wall time of the build.
    public var seconds: Double = 0
}

/// Builds the NAS-Bench-201 CIFAR data sets into one `nb201-dataset` HDF5 file.
///
/// Each original is read once more than strictly needed at most: a tarball's MD5 is
/// taken first (FileHasher, ~600 MB/s); a verified original's record counts are the
/// published ones, otherwise a counting pass runs. The build pass then streams the
/// archive once, in member order, and writes every record straight to its position
/// in each evaluation set (splits are sorted lists, so positions are ranks). Memory is
/// bounded by one original batch file (CIFAR-100's single `train` pickle, ~155 MB,
/// is the largest), never by the output.
public enum CIFARBuilder {
    public static func build(_ options: CIFARBuildOptions, output: String) throws -> CIFARBuildReport {
        guard options.cifar10 != nil || options.cifar100 != nil else {
            throw IOError.malformed(path: output, offset: nil, reason: "nothing to build: give --cifar10 PATH and/or --cifar100 PATH")
        }
        keepBigBuffersInHeap()
        let start = Date()
        var report = CIFARBuildReport()
        report.output = output
        // Open and check everything cheap before the output file exists.
        var jobs: [(CIFAROriginal, CIFARSplits.Loaded?)] = []
        for (variant, path) in [(CIFARVariant.cifar10, options.cifar10), (.cifar100, options.cifar100)] {
            guard let path else { continue }
            let original = try CIFAROriginal(path: path, variant: variant)
            let split = try variant == .cifar10
                ? CIFARSplits.load(from: options.splits, name: CIFARSplits.cifar10File, keys: ["train", "valid"], allowUnverified: options.allowUnverified)
                : CIFARSplits.load(from: options.splits, name: CIFARSplits.cifar100File, keys: ["xvalid", "xtest"], allowUnverified: options.allowUnverified)
            if split == nil, variant == .cifar100 {
                throw IOError.malformed(path: path, offset: nil,
                                        reason: "CIFAR-100's x-valid/x-test split comes from \(CIFARSplits.cifar100File) (no seed is known to regenerate it): leave out --no-splits, or pass --splits DIR")
            }
            jobs.append((original, split))
        }
        try File.writeAtomically(to: output) { file in
            try ImageSetLayout.markRoot(file)
            for (original, split) in jobs {
                try build(original, split: split, options: options, into: file, report: &report)
            }
        }
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    private static func build(_ original: CIFAROriginal, split loaded: CIFARSplits.Loaded?, options: CIFARBuildOptions,
                              into file: File, report: inout CIFARBuildReport) throws {
        let layout = original.layout
        let variant = layout.variant
        // 1. Verification and record counts.
        var md5: String?
        var verification = "no published checksum (\(layout.format.rawValue) distribution)"
        var knownCounts: [CIFARPart: Int]?
        var pendingMD5: (BackgroundMD5, String)?
        var checkFolderFiles = false
        switch (original.container, layout.format) {
        case (.tarball, .python):
            // The MD5 is computed on another core while this one works: alongside the
            // build pass when the size says "published original" (its published counts
            // are then used and each is checked as its file is read), alongside the
            // counting pass otherwise. The verdict is taken before the file is committed.
            let archive = options.knownArchives[variant]!
            let size = try FileByteStream(path: original.path).size
            if let published = archive.size, size != published, !options.allowUnverified {
                throw ChecksumMismatch(path: original.path, algorithm: "size", expected: "\(published) bytes", actual: "\(size) bytes")
            }
            let hashing = BackgroundMD5(path: original.path)
            pendingMD5 = (hashing, archive.md5)
            if archive.size == nil || archive.size == size {
                knownCounts = [.test: archive.testCount]
                for (k, n) in archive.trainCounts.enumerated() { knownCounts![.train(k + 1)] = n }
            }
        case (.folder, .python):
            checkFolderFiles = true
            verification = "verified (published MD5 of every file)"
        default:
            break
        }
        let counts = try knownCounts ?? countRecords(original)
        /// Takes the MD5 verdict (waiting for the background hash); throws on a mismatch unless allowed.
        func settleMD5() throws {
            guard let (hashing, known) = pendingMD5 else { return }
            pendingMD5 = nil
            let digest = try hashing.wait()
            md5 = digest
            if digest == known {
                verification = "verified (published MD5)"
            } else if options.allowUnverified {
                verification = "unverified (MD5 \(digest) is not the published \(known); allowed)"
            } else {
                throw ChecksumMismatch(path: original.path, algorithm: "MD5", expected: known, actual: digest)
            }
        }
        if knownCounts == nil { try settleMD5() }
        let trainParts = layout.allParts.filter { $0 != .test }
        var offsets: [CIFARPart: Int] = [.test: 0]
        var trainTotal = 0
        for part in trainParts {
            offsets[part] = trainTotal
            trainTotal += counts[part]!
        }
        let testTotal = counts[.test]!

        // 2. Splits, checked against the originals' sizes.
        let plan: [CIFARPlannedSet]
        switch variant {
        case .cifar10:
            let split = loaded?.split ?? CIFARSplits.regenerateCIFAR10(count: trainTotal)
            let provenance = loaded?.provenance ?? "regenerated: CPython random.seed(1021) shuffle of range(\(trainTotal))"
            guard split.total == trainTotal else {
                throw IOError.malformed(path: loaded?.path ?? "split",
                                        offset: nil, reason: "indexes \(split.total) records but \(original.path) has \(trainTotal) training images"
                                            + " (not the official CIFAR-10? --no-splits regenerates the split for its size)")
            }
            report.splits.append("cifar10: \(provenance)")
            plan = CIFARBuildPlan.cifar10(split: split, splitSource: loaded == nil ? "regenerated-seed-1021" : CIFARSplits.cifar10File)
        case .cifar100:
            let split = loaded!.split
            guard split.total == testTotal else {
                throw IOError.malformed(path: loaded!.path, offset: nil,
                                        reason: "indexes \(split.total) records but \(original.path) has \(testTotal) test images")
            }
            report.splits.append("cifar100: \(loaded!.provenance)")
            plan = CIFARBuildPlan.cifar100(split: split, splitSource: CIFARSplits.cifar100File)
        }

        // 3. Groups and writers.
        let norm = variant == .cifar10 ? NB201Normalization.cifar10 : NB201Normalization.cifar100
        var groups: [String: Group] = [:]
        for name in Set(plan.map(\.dataset)).sorted() {
            groups[name] = try ImageSetLayout.createDataset(in: file, ImageDatasetInfo(
                name: name, classNames: [], numClasses: variant.classCount, height: 32, width: 32,
                mean: norm.mean, std: norm.std,
                source: "\(variant.displayName) \(layout.format.rawValue) distribution (\((original.path as NSString).lastPathComponent))"))
        }
        let writers = try plan.map { set in
            try ImageSetWriter(dataset: groups[set.dataset]!, name: set.set, height: 32, width: 32,
                               count: set.selection?.count ?? (set.fromTest ? testTotal : trainTotal),
                               chunkImages: options.chunkImages, source: set.source)
        }

        // 4. One streaming pass: route every record to its place in every set.
        let progress = Progress("build-cifar \(variant.displayName)", total: Int64(trainTotal + testTotal), unit: "images")
        var classNames: [String]?
        var mismatches: [String] = []
        do {
            try original.visit { item in
                switch item {
                case .meta(let bytes, let path):
                    if checkFolderFiles, try !checkMD5(bytes, path: path, layout: layout, allowUnverified: options.allowUnverified) {
                        mismatches.append(path)
                    }
                    classNames = layout.format == .python
                        ? try CIFARPythonBatch.classNames(bytes, path: path, layout: layout)
                        : CIFARBinaryReader.classNames(bytes)
                case .part(let part, let stream, let size, let path):
                    var done = 0
                    let deliver = { (records: CIFARRecords) throws in
                        guard done + records.count <= counts[part]! else {
                            throw IOError.malformed(path: path, offset: nil,
                                                    reason: "holds more than the \(counts[part]!) records expected")
                        }
                        try route(records, offset: offsets[part]! + done, fromTest: part == .test, plan: plan, writers: writers)
                        done += records.count
                        progress.advance(by: Int64(records.count))
                    }
                    switch layout.format {
                    case .binary:
                        try CIFARBinaryReader.read(stream, size: size, layout: layout, deliver)
                    case .python:
                        guard size <= Int64(CIFAROriginal.maxPickleSize) else {
                            throw IOError.malformed(path: path, offset: nil, reason: "\(size) bytes is too large for a CIFAR batch")
                        }
                        var bytes = try stream.readBytes(Int(size), what: "CIFAR batch")
                        if checkFolderFiles, try !checkMD5(bytes, path: path, layout: layout, allowUnverified: options.allowUnverified) {
                            mismatches.append(path)
                        }
                        try CIFARPythonBatch.decode(consuming: &bytes, path: path, layout: layout, deliver)
                    }
                    guard done == counts[part]! else {
                        throw IOError.malformed(path: path, offset: nil, reason: "holds \(done) records, expected \(counts[part]!)")
                    }
                }
            }
        } catch {
            // A file that is not the original may fail in any way; say that first.
            try settleMD5()
            throw error
        }
        try settleMD5()
        progress.finish()
        if !mismatches.isEmpty {
            verification = "unverified (MD5 differs from the published original for \(mismatches.count) file(s); allowed)"
        }
        guard let classNames, classNames.count == variant.classCount else {
            throw IOError.malformed(path: original.path, offset: nil,
                                    reason: "\(layout.metaFile) lists \(classNames?.count ?? 0) class names, expected \(variant.classCount)")
        }
        for group in groups.values { try ImageSetLayout.writeClassNames(classNames, to: group) }
        for writer in writers { report.sets.append(try writer.finish()) }
        report.inputs.append(.init(path: original.path, variant: variant.displayName, format: layout.format.rawValue,
                                   container: original.container == .tarball ? "tarball" : "folder",
                                   verification: verification, md5: md5))
    }

    /// Copies the records each set takes from original records `offset ..< offset + n`.
    private static func route(_ records: CIFARRecords, offset: Int, fromTest: Bool, plan: [CIFARPlannedSet],
                              writers: [ImageSetWriter]) throws {
        let size = CIFARImage.byteCount
        // Each record goes into two or three sets: hash it once.
        let digests = ImageSetDigest.recordDigests(labels: records.labels, images: records.images)
        for (set, writer) in zip(plan, writers) where set.fromTest == fromTest {
            guard let (position, members) = set.route(offset: offset, count: records.count) else { continue }
            let indices = members.map { Int64(offset + $0) }
            if members.count == records.count {
                try writer.write(at: position, images: records.images, labels: records.labels, indices: indices, recordDigests: digests)
                continue
            }
            var images = [UInt8]()
            var subset = [UInt8]()
            images.reserveCapacity(members.count * size)
            subset.reserveCapacity(members.count * 32)
            records.images.withUnsafeBufferPointer { src in
                for m in members { images.append(contentsOf: src[(m * size)..<((m + 1) * size)]) }
            }
            for m in members { subset.append(contentsOf: digests[(m * 32)..<((m + 1) * 32)]) }
            try writer.write(at: position, images: images, labels: members.map { records.labels[$0] }, indices: indices,
                             recordDigests: subset)
        }
    }

    /// Record counts per file, read from the input (binary: sizes; python: the pickles).
    static func countRecords(_ original: CIFAROriginal) throws -> [CIFARPart: Int] {
        var counts: [CIFARPart: Int] = [:]
        let layout = original.layout
        try original.visit { item in
            guard case .part(let part, let stream, let size, let path) = item else { return }
            switch layout.format {
            case .binary:
                guard size % Int64(layout.binaryRecordSize) == 0 else {
                    throw IOError.malformed(path: path, offset: nil, reason: "\(size) bytes is not a whole number of \(layout.binaryRecordSize)-byte records")
                }
                counts[part] = Int(size / Int64(layout.binaryRecordSize))
            case .python:
                guard size <= Int64(CIFAROriginal.maxPickleSize) else {
                    throw IOError.malformed(path: path, offset: nil, reason: "\(size) bytes is too large for a CIFAR batch")
                }
                counts[part] = try CIFARPythonBatch.count(stream.readBytes(Int(size), what: "CIFAR batch"), path: path, layout: layout)
            }
        }
        return counts
    }

    /// True if the file matches its published MD5; a mismatch throws unless allowed.
    private static func checkMD5(_ bytes: [UInt8], path: String, layout: CIFARLayout, allowUnverified: Bool) throws -> Bool {
        let table = layout.variant == .cifar10 ? KnownOriginals.cifar10Batches : KnownOriginals.cifar100Files
        guard let known = table[(path as NSString).lastPathComponent] else { return true }
        let digest = MD5.hash(bytes).hex
        if digest != known && !allowUnverified {
            throw ChecksumMismatch(path: path, algorithm: "MD5", expected: known, actual: digest)
        }
        return digest == known
    }
}

/// MD5 of a file computed on a global dispatch queue; `wait` joins it.
final class BackgroundMD5: @unchecked Sendable {
    private var result: Result<String, Error>?
    private let group = DispatchGroup()

    init(path: String) {
        group.enter()
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            result = Result { try FileHasher.hash(path: path, algorithms: [.md5]).md5!.hex }
            group.leave()
        }
    }

    func wait() throws -> String {
        group.wait()
        return try result!.get()
    }
}

