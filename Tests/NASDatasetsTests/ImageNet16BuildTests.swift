import XCTest
import HDF5
import HDF5Schema
import Pickle
@testable import NASDatasets
import ImageSet

/// Whole builds to HDF5: ILSVRC tree, shards + merge, Downsampled batches, autodl batches.
final class ImageNet16BuildTests: XCTestCase {
    var fixtures: URL { ImageNet16Fixtures.directory }
    var ilsvrc: String { fixtures.appendingPathComponent("ilsvrc").path }

    func schemaDeviations(_ path: String) throws -> [String] {
        let library = SchemaLibrary(directory: ImageNet16Fixtures.repoRoot.appendingPathComponent("Schemas").path)
        return try SchemaChecker.check(file: path, schema: library.schema(named: "nb201-dataset", version: 1)).map { "\($0)" }
    }

    /// A split file in the official format over `n` validation images (evens / odds).
    func writeSplit(total n: Int, in dir: URL) throws -> String {
        let xv = stride(from: 0, to: n, by: 2).map { "\"\($0)\"" }, xt = stride(from: 1, to: n, by: 2).map { "\"\($0)\"" }
        let text = "{\n  \"xvalid\"             : [\"int\"   , [\(xv.joined(separator: ", "))]],\n  \"xtest\"              : [\"int\"   , [\(xt.joined(separator: ", "))]]\n}"
        try text.write(to: dir.appendingPathComponent(ImageNet16Build.splitFileName), atomically: true, encoding: .utf8)
        return dir.path
    }

    func options(classes: Int = 5) -> ImageNet16ILSVRCOptions {
        var o = ImageNet16ILSVRCOptions(root: ilsvrc, classMap: ilsvrc + "/devkit/map_clsloc.txt")
        o.valLabels = ilsvrc + "/devkit/ILSVRC2015_clsloc_validation_ground_truth.txt"
        o.classes = classes
        o.keepGoing = true
        o.downsample.threads = 2
        return o
    }

    func readSet(_ path: String, _ set: String) throws -> ImageBatch {
        let r = try ImageSetReader(path: path, set: set)
        return try r.readBatch(start: 0, count: r.count)
    }

    func testILSVRCBuildIsSchemaValidDeterministicAndSplit() throws {
        let dir = try ImageNet16Fixtures.scratch("build")
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = options()
        o.splitsDirectory = try writeSplit(total: 12, in: dir)
        o.allowUnverified = true
        let a = dir.appendingPathComponent("a.h5").path, b = dir.appendingPathComponent("b.h5").path
        let report = try ImageNet16Build.fromILSVRC(o, output: a)
        XCTAssertEqual(report.sets.map(\.path), ["/ImageNet16-5/train", "/ImageNet16-5/ori-test", "/ImageNet16-5/x-valid", "/ImageNet16-5/x-test"])
        XCTAssertEqual(report.sets.map(\.count), [16, 12, 6, 6])
        XCTAssertEqual(report.failures.map(\.path), ["train/n02110185/n02110185_truncated.JPEG"])
        XCTAssertEqual(try schemaDeviations(a), [])
        o.downsample.threads = 1
        _ = try ImageNet16Build.fromILSVRC(o, output: b)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: a)), try Data(contentsOf: URL(fileURLWithPath: b)), "two builds must be byte-identical")

        let file = try File.open(a)
        XCTAssertEqual(try file.openDataset("ImageNet16-5/wnids").readStrings().first, "n02119789")
        XCTAssertEqual(try file.openDataset("ImageNet16-5/class_names").readStrings().first, "kit_fox")
        let ori = try readSet(a, "ImageNet16-5/ori-test"), xv = try readSet(a, "ImageNet16-5/x-valid")
        XCTAssertEqual(xv.indices, [0, 2, 4, 6, 8, 10])
        XCTAssertEqual(Array(xv.image(1)), Array(ori.image(2)))
        XCTAssertEqual(xv.labels[1], ori.labels[2])
        // No output is left behind by a failing build.
        o.keepGoing = false
        let c = dir.appendingPathComponent("c.h5").path
        XCTAssertThrowsError(try ImageNet16Build.fromILSVRC(o, output: c)) { XCTAssertTrue("\($0)".contains("truncated")) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: c))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("partial") }, [])
    }

    func testShardsMergeToTheSameSets() throws {
        let dir = try ImageNet16Fixtures.scratch("shards")
        defer { try? FileManager.default.removeItem(at: dir) }
        let whole = dir.appendingPathComponent("whole.h5").path
        let full = try ImageNet16Build.fromILSVRC(options(), output: whole)
        var shardPaths: [String] = []
        for k in [1, 0, 2] {  // any order on the command line
            var o = options()
            o.shard = (k, 3)
            let p = dir.appendingPathComponent("shard\(k).h5").path
            _ = try ImageNet16Build.fromILSVRC(o, output: p)
            shardPaths.append(p)
        }
        let merged = dir.appendingPathComponent("merged.h5").path
        let report = try ImageNet16Build.merge(shards: shardPaths, output: merged, splitsDirectory: try writeSplit(total: 12, in: dir),
                                               allowUnverified: true)
        XCTAssertEqual(Array(report.sets.prefix(2)), full.sets)  // same counts and digests
        for set in ["train", "ori-test"] {
            let a = try readSet(whole, "ImageNet16-5/" + set), b = try readSet(merged, "ImageNet16-5/" + set)
            XCTAssertEqual(a.images, b.images); XCTAssertEqual(a.labels, b.labels); XCTAssertEqual(a.indices, b.indices)
        }
        XCTAssertEqual(try schemaDeviations(merged), [])
        // A missing shard is named.
        XCTAssertThrowsError(try ImageNet16Build.merge(shards: Array(shardPaths.prefix(2)), output: merged + ".x", splitsDirectory: nil,
                                                       allowUnverified: false)) { XCTAssertTrue("\($0)".contains("shard")) }
    }

    func testDownsampledBatchesGiveTheUpstreamRowsAndAutoDLRoundTrips() throws {
        let dir = try ImageNet16Fixtures.scratch("downsampled")
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = fixtures.appendingPathComponent("downsampled").path
        let expected = try ImageNet16Fixtures.json("downsampled/expected.json")
        let out = dir.appendingPathComponent("d.h5").path
        // The fixture batches are not the published files: refused unless allowed.
        XCTAssertThrowsError(try ImageNet16Build.fromDownsampled(directory: src, output: out, splitsDirectory: nil, allowUnverified: false)) {
            XCTAssertTrue("\($0)".contains("train_data_batch_1")); XCTAssertTrue("\($0)".contains("MD5"))
        }
        let report = try ImageNet16Build.fromDownsampled(directory: src, output: out, splitsDirectory: src + "/splits", allowUnverified: true)
        XCTAssertEqual(try schemaDeviations(out), [])
        let train = try readSet(out, "ImageNet16-120/train"), val = try readSet(out, "ImageNet16-120/ori-test")
        XCTAssertEqual(train.labels, (expected["train_labels"] as! [Int]).map(Int64.init))
        XCTAssertEqual(val.labels, (expected["val_labels"] as! [Int]).map(Int64.init))
        XCTAssertEqual(try readSet(out, "ImageNet16-120/x-valid").indices, (expected["xvalid"] as! [Int]).map(Int64.init))
        XCTAssertEqual(try readSet(out, "ImageNet16-120/x-test").indices, (expected["xtest"] as! [Int]).map(Int64.init))
        XCTAssertEqual(report.sets.count, 4)

        // autodl batches: protocol-2 pickles holding the same rows, labels 1-based, CHW planes.
        let autodl = dir.appendingPathComponent("autodl").path
        _ = try ImageNet16AutoDL.write(from: out, dataset: "ImageNet16-120", to: autodl)
        var rows: [UInt8] = [], labels: [Int] = []
        for name in DownsampledImageNet.trainFiles {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: autodl + "/" + name)))
            XCTAssertEqual(Array(bytes.prefix(2)), [0x80, 2])
            let batch = try DownsampledImageNet.parse(bytes, path: name)
            rows += batch.data; labels += batch.labels
        }
        XCTAssertEqual(labels, (expected["train_labels"] as! [Int]).map { $0 + 1 })
        let original = try DownsampledImageNet.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: src + "/train_data_batch_1"))), path: "b1")
        let firstKept = original.labels.firstIndex { $0 <= 120 }!
        XCTAssertEqual(Array(rows.prefix(768)), Array(original.data[(firstKept * 768)..<((firstKept + 1) * 768)]))
    }
}
