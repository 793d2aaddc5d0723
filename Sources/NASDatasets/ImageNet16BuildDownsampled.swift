import Foundation
import HDF5
import NASDataIO
import ImageSet

extension ImageNet16Build {
    /// The sizes of ImageNet16-120 made from the published batches (xautodl's loader).
    public static let publishedTrainCount = 151_700
    public static let publishedValCount = 6_000

    /// Builds `output` from the Downsampled-ImageNet batch files in `directory`: rows with
    /// label 1...120 in file order (train_data_batch_1..10, then val_data), labels - 1.
    /// Each batch is the pickle or its `.npz` form (extracted, or inside a `.zip` archive;
    /// see `DownsampledImageNet.sources(in:)`): both give the same rows.
    ///
    /// Every pickle's MD5 is checked against the published one (an error unless
    /// `allowUnverified`); when all match, the counts must be exactly 151,700 / 6,000.
    /// `.npz` files have no published checksums: their members are CRC-32 checked and, unless
    /// `allowUnverified`, the counts must be the published ones.
    /// One batch file is in memory at a time. Record indices: the row in the concatenated
    /// train batches, or in `val_data`.
    public static func fromDownsampled(directory: String, output: String, splitsDirectory: String?, allowUnverified: Bool,
                                       classMap: String? = nil, classes: Int = 120) throws -> ImageNet16BuildReport {
        let start = Date()
        let dir = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        let sources = try DownsampledImageNet.sources(in: dir)
        let usesNpz = sources.contains { if case .pickle = $0 { return false } else { return true } }
        // An archived .npz is unpacked next to the output (where there is room for it), one at a time.
        let scratch = output + ".npz-scratch"
        var entries: [ILSVRCClassMap.Entry]
        if let classMap {
            let map = try ILSVRCClassMap.read(path: classMap)
            guard map.entries.count >= classes else {
                throw IOError.malformed(path: classMap, offset: nil, reason: "lists \(map.entries.count) classes, fewer than \(classes)")
            }
            entries = Array(map.entries.prefix(classes))
        } else {
            entries = (1...classes).map { ILSVRCClassMap.Entry(wnid: "", label: $0, name: "label \($0)") }
        }
        var split: (xvalid: [Int], xtest: [Int], note: String)?
        if let s = splitsDirectory { split = try loadSplit(directory: s, allowUnverified: allowUnverified) }

        var report = ImageNet16BuildReport(output: output, dataset: ImageNet16Layout.datasetName(classes: classes))
        if let split { report.notes.append(split.note) }
        var allVerified = true
        let progress = NASDataIO.Progress("build-imagenet16", total: 11, unit: "files")
        try File.writeAtomically(to: output) { file in
            try ImageSetLayout.markRoot(file)
            let origin = "Downsampled ImageNet 16x16 (\(dir))"
            var side = 16
            // The group needs the image size, which the first batch tells.
            var group: Group?
            var train: ImageSetWriter?
            var row: Int64 = 0
            for (name, source) in zip(DownsampledImageNet.trainFiles, sources) {
                let path = source.description
                let (batch, verified) = try DownsampledImageNet.read(source, expectedMD5: KnownOriginals.imageNet16Batches[name],
                                                                     allowUnverified: allowUnverified, scratch: scratch)
                allVerified = allVerified && verified
                if group == nil {
                    side = batch.side
                    group = try createGroup(file, entries: entries, side: side, origin: origin, classMapGiven: classMap != nil)
                    train = try ImageNet16Layout.writer(group!, "train", size: side, source: "\(origin): train_data_batch_1..10 rows with label 1...\(classes), file order")
                }
                guard batch.side == side else {
                    throw IOError.malformed(path: path, offset: nil, reason: "\(batch.side)x\(batch.side) images, the first batch has \(side)x\(side)")
                }
                try append(batch, into: train!, firstRow: row, classes: classes, path: path)
                row += Int64(batch.count)
                progress.advance()
            }
            let valPath = sources[DownsampledImageNet.trainFiles.count].description
            let (val, verified) = try DownsampledImageNet.read(sources[DownsampledImageNet.trainFiles.count],
                                                              expectedMD5: KnownOriginals.imageNet16Batches[DownsampledImageNet.valFile],
                                                              allowUnverified: allowUnverified, scratch: scratch)
            allVerified = allVerified && verified
            guard val.side == side else {
                throw IOError.malformed(path: valPath, offset: nil, reason: "\(val.side)x\(val.side) images, the train batches have \(side)x\(side)")
            }
            let valKept = val.labels.filter { $0 >= 1 && $0 <= classes }.count
            if let split, split.xvalid.count + split.xtest.count != valKept {
                throw ImageNet16BuildError.splitMismatch(splitTotal: split.xvalid.count + split.xtest.count, valCount: valKept)
            }
            let oriTest = try ImageNet16Layout.writer(group!, "ori-test", size: side, source: "\(origin): val_data rows with label 1...\(classes), file order")
            var sinks: [ImageRecordSink] = [oriTest]
            var splitWriters: [ImageSetWriter] = []
            if let split {
                let xv = try ImageNet16Layout.writer(group!, "x-valid", size: side, source: ImageNet16Layout.setSource("x-valid", from: origin))
                let xt = try ImageNet16Layout.writer(group!, "x-test", size: side, source: ImageNet16Layout.setSource("x-test", from: origin))
                splitWriters = [xv, xt]
                sinks.append(SplitRouter(xvalid: split.xvalid, xtest: split.xtest, xValid: xv, xTest: xt))
            }
            try append(val, into: Fanout(sinks), firstRow: 0, classes: classes, path: valPath)
            progress.advance()
            let trainSummary = try train!.finish()
            let valSummary = try oriTest.finish()
            if classes == 120 && (allVerified || (usesNpz && !allowUnverified)) {
                guard trainSummary.count == publishedTrainCount, valSummary.count == publishedValCount else {
                    let what = allVerified ? "the verified batches" : "the .npz batches (no published checksums: the counts are the check; --allow-unverified accepts other data)"
                    throw IOError.malformed(path: dir, offset: nil,
                                            reason: "\(what) gave \(trainSummary.count) / \(valSummary.count) images, expected \(publishedTrainCount) / \(publishedValCount)")
                }
            }
            report.sets = [trainSummary, valSummary]
            for w in splitWriters { report.sets.append(try w.finish()) }
        }
        progress.finish()
        if usesNpz {
            report.notes.append("batch files: .npz (members CRC-32 checked; no published MD5s" + (allowUnverified ? ")" : "; counts match the published ones)"))
        } else {
            report.notes.append(allVerified ? "batch files: verified (published MD5s)" : "batch files: unverified (MD5s differ from the published ones; allowed)")
        }
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    private static func createGroup(_ file: File, entries: [ILSVRCClassMap.Entry], side: Int, origin: String,
                                    classMapGiven: Bool) throws -> Group {
        let norm = NB201Normalization.imageNet16
        let group = try ImageSetLayout.createDataset(in: file, ImageDatasetInfo(
            name: ImageNet16Layout.datasetName(classes: entries.count), classNames: entries.map(\.name), height: side, width: side,
            mean: norm.mean, std: norm.std, source: origin))
        if classMapGiven { try group.createStringDataset("wnids", entries.map(\.wnid)) }
        return group
    }

    /// Streams the rows of `batch` with label 1...classes into `sink` in chunks.
    private static func append(_ batch: DownsampledImageNet.Batch, into sink: ImageRecordSink, firstRow: Int64, classes: Int,
                               path: String) throws {
        var hwc: [UInt8] = [], labels: [Int64] = [], indices: [Int64] = []
        for i in 0..<batch.count {
            let label = batch.labels[i]
            guard label >= 1, label <= 1000 else {
                throw IOError.malformed(path: path, offset: nil, reason: "row \(i) has label \(label), outside 1...1000")
            }
            guard label <= classes else { continue }
            hwc += batch.hwc(i)
            labels.append(Int64(label - 1))
            indices.append(firstRow + Int64(i))
            if labels.count == 4096 {
                try sink.append(images: hwc, labels: labels, indices: indices)
                hwc.removeAll(keepingCapacity: true); labels.removeAll(keepingCapacity: true); indices.removeAll(keepingCapacity: true)
            }
        }
        if !labels.isEmpty { try sink.append(images: hwc, labels: labels, indices: indices) }
    }
}
