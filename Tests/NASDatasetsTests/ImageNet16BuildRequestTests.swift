import Foundation
import XCTest
@testable import NASDatasets
import ImageSet

/// `ImageNet16Build.run` (what `nasdata build-imagenet16` calls): each source, shards and their
/// merge, the autodl batches, and the report as text and JSON.
final class ImageNet16BuildRequestTests: XCTestCase {
    var ilsvrc: String { ImageNet16Fixtures.directory.appendingPathComponent("ilsvrc").path }
    var downsampled: String { ImageNet16Fixtures.directory.appendingPathComponent("downsampled").path }

    func ilsvrcSource(shard: (k: Int, n: Int)? = nil) -> ImageNet16BuildRequest.Source {
        var o = ImageNet16ILSVRCOptions(root: ilsvrc, classMap: ilsvrc + "/devkit/map_clsloc.txt")
        o.valLabels = ilsvrc + "/devkit/ILSVRC2015_clsloc_validation_ground_truth.txt"
        o.classes = 5
        o.keepGoing = true
        o.downsample.threads = 2
        o.shard = shard
        // The request's split choice replaces the options' (the official split would not fit 5 classes).
        o.splits = .official
        return .ilsvrc(o)
    }

    func testDownsampledWithAutodlBatches() throws {
        let dir = try ImageNet16Fixtures.scratch("request-downsampled")
        defer { try? FileManager.default.removeItem(at: dir) }
        var request = ImageNet16BuildRequest(source: .downsampled(directory: downsampled, classMap: nil, classes: 120),
                                             output: dir.appendingPathComponent("in16.h5").path)
        request.splits = .directory(downsampled + "/splits")
        request.allowUnverified = true
        request.autodlDirectory = ImageNet16BuildRequest.defaultAutodlDirectory(for: request.output)
        XCTAssertEqual(request.autodlDirectory, dir.appendingPathComponent("in16-autodl").path)
        let report = try ImageNet16Build.run(request)

        let expected = try ImageNet16Fixtures.json("downsampled/expected.json")
        let train = (expected["train_labels"] as! [Int]).count, val = (expected["val_labels"] as! [Int]).count
        XCTAssertEqual(report.dataset, "ImageNet16-120")
        XCTAssertEqual(report.sets.map(\.path), ["/ImageNet16-120/train", "/ImageNet16-120/ori-test", "/ImageNet16-120/x-valid", "/ImageNet16-120/x-test"])
        XCTAssertEqual(report.sets.map(\.count), [train, val, (expected["xvalid"] as! [Int]).count, (expected["xtest"] as! [Int]).count])
        let written = try ImageSetReader(path: request.output, set: "ImageNet16-120/train")
        XCTAssertEqual(written.digest, report.sets[0].digest)
        let batches = try FileManager.default.contentsOfDirectory(atPath: request.autodlDirectory!).sorted()
        XCTAssertEqual(batches, (1...10).map { "train_data_batch_\($0)" }.sorted() + ["val_data"])
        // The split's and the batches' verification notes, then the autodl note.
        XCTAssertEqual(report.notes.count, 3, "\(report.notes)")
        XCTAssertTrue(report.notes[0].hasPrefix(downsampled + "/splits/imagenet-16-120-test-split.txt: unverified"), report.notes[0])
        XCTAssertEqual(report.notes[2], "autodl batches: \(request.autodlDirectory!)/train_data_batch_1..10 (\(train) images), val_data (\(val))")

        let doc = try JSONSerialization.jsonObject(with: Data(try report.json().utf8)) as! [String: Any]
        XCTAssertEqual(doc["output"] as? String, request.output)
        XCTAssertEqual((doc["sets"] as? [[String: Any]])?.map { $0["digest"] as? String }, report.sets.map(\.digest))
        XCTAssertEqual(doc["images_decoded"] as? Int, 0)
        XCTAssertNil(doc["images_per_second"], "no JPEG was decoded")
        XCTAssertEqual(report.lines.first, "wrote \(request.output) (ImageNet16-120)")
        XCTAssertEqual(report.lines[1], "  /ImageNet16-120/train: \(train) images, digest \(report.sets[0].digest)")
        XCTAssertEqual(report.lines.count, 1 + 4 + 3)
    }

    func testILSVRCShardsMergeToTheWholeBuild() throws {
        let dir = try ImageNet16Fixtures.scratch("request-shards")
        defer { try? FileManager.default.removeItem(at: dir) }
        func build(_ source: ImageNet16BuildRequest.Source, _ name: String) throws -> ImageNet16BuildReport {
            var request = ImageNet16BuildRequest(source: source, output: dir.appendingPathComponent(name).path)
            request.splits = .none
            return try ImageNet16Build.run(request)
        }
        let whole = try build(ilsvrcSource(), "whole.h5")
        XCTAssertEqual(whole.sets.map(\.count), [16, 12])
        XCTAssertEqual(whole.imagesDecoded, 29)
        XCTAssertEqual(whole.failures.map(\.path), ["train/n02110185/n02110185_truncated.JPEG"])
        XCTAssertTrue(whole.lines.contains("  skipped 1 unreadable image(s):"), "\(whole.lines)")
        XCTAssertTrue(whole.lines.contains { $0.hasPrefix("  29 images decoded in ") }, "\(whole.lines)")
        let doc = try JSONSerialization.jsonObject(with: Data(try whole.json().utf8)) as! [String: Any]
        XCTAssertEqual((doc["skipped"] as? [[String: Any]])?.first?["path"] as? String, "train/n02110185/n02110185_truncated.JPEG")
        XCTAssertNotNil(doc["images_per_second"])

        let s0 = try build(ilsvrcSource(shard: (0, 2)), "s0.h5"), s1 = try build(ilsvrcSource(shard: (1, 2)), "s1.h5")
        XCTAssertEqual(s0.sets.map(\.count).reduce(0, +) + s1.sets.map(\.count).reduce(0, +), 28)
        let merged = try build(.merge(shards: [s0.output, s1.output]), "merged.h5")
        XCTAssertEqual(merged.sets.map(\.count), whole.sets.map(\.count))
        XCTAssertEqual(merged.sets.map(\.digest), whole.sets.map(\.digest))
    }
}
