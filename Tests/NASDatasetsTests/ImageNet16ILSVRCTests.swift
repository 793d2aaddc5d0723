import XCTest
@testable import NASDatasets
import ImageCodecs

/// The ILSVRC-tree build on the miniature tree (Tests/Fixtures/imagenet16/ilsvrc).
final class ImageNet16ILSVRCTests: XCTestCase {
    var root: String { ImageNet16Fixtures.directory.appendingPathComponent("ilsvrc").path }

    func tree(classes: Int = 5) throws -> ILSVRCTree {
        let map = try ILSVRCClassMap.read(path: root + "/devkit/map_clsloc.txt")
        return try ILSVRCTree(root: root, classMap: map, classes: classes)
    }

    func options(threads: Int) -> ImageNet16DownsampleOptions {
        var o = ImageNet16DownsampleOptions(); o.threads = threads; return o
    }

    func testClassMapParsingAndErrors() throws {
        let map = try ILSVRCClassMap.read(path: root + "/devkit/map_clsloc.txt")
        XCTAssertEqual(map.entries.count, 5)
        XCTAssertEqual(map.entry(label: 1)?.wnid, "n02119789")
        XCTAssertEqual(map.label(ofWnid: "n02110185"), 3)
        XCTAssertThrowsError(try ILSVRCClassMap.parse("n1 1 a\nn2 3 b\n", path: "m.txt")) { error in
            XCTAssertTrue("\(error)".contains("m.txt")); XCTAssertTrue("\(error)".contains("1...2"))
        }
        XCTAssertThrowsError(try ILSVRCClassMap.parse("kit_fox 1 n02119789\n", path: "m.txt"))
    }

    func testTrainBuildMatchesPillowInLabelThenNameOrder() throws {
        let expected = try ImageNet16Fixtures.json("ilsvrc/expected.json")
        let train = expected["train"] as! [[String: Any]]
        let builder = ILSVRCImageNet16Builder(tree: try tree(), options: options(threads: 2))
        builder.keepGoing = true
        builder.batchSize = 4  // several batches, one class spanning two
        let sink = CollectingSink()
        let n = try builder.buildTrain(into: sink)
        XCTAssertEqual(n, train.count)
        XCTAssertEqual(sink.labels, train.map { Int64($0["label"] as! Int - 1) })
        XCTAssertEqual(sink.indices, (0..<Int64(n)).map { $0 })
        let want = train.flatMap { ImageNet16Fixtures.bytes(hex: $0["rgb16"] as! String) }
        XCTAssertEqual(sink.images, want)
        XCTAssertEqual(builder.failures.map(\.path), ["train/n02110185/n02110185_truncated.JPEG"])
        XCTAssertTrue(builder.failures[0].message.contains("truncated"))
    }

    func testTruncatedImageStopsTheBuildWithoutKeepGoing() throws {
        let builder = ILSVRCImageNet16Builder(tree: try tree(), options: options(threads: 2))
        XCTAssertThrowsError(try builder.buildTrain(into: CollectingSink())) { error in
            XCTAssertTrue("\(error)".contains("n02110185_truncated.JPEG"), "\(error)")
        }
    }

    func testOutputIsIndependentOfThreadsAndBatching() throws {
        func run(_ threads: Int, _ batch: Int) throws -> CollectingSink {
            let b = ILSVRCImageNet16Builder(tree: try tree(), options: options(threads: threads))
            b.keepGoing = true; b.batchSize = batch
            let s = CollectingSink(); try b.buildTrain(into: s); return s
        }
        let a = try run(1, 1000), b = try run(4, 3)
        XCTAssertEqual(a.images, b.images); XCTAssertEqual(a.labels, b.labels)
    }

    func testValidationFromGroundTruthAndClassFilter() throws {
        let expected = try ImageNet16Fixtures.json("ilsvrc/expected.json")
        let val = (expected["val"] as! [[String: Any]]).filter { ($0["label"] as! Int) <= 3 }
        // Label then file name: a stable sort of the file-number order by label.
        let ordered = val.enumerated().sorted { a, b in
            let la = a.element["label"] as! Int, lb = b.element["label"] as! Int
            return la != lb ? la < lb : a.offset < b.offset
        }.map(\.element)
        let builder = ILSVRCImageNet16Builder(tree: try tree(classes: 3), options: options(threads: 2))
        let sink = CollectingSink()
        let n = try builder.buildValidation(groundTruth: root + "/devkit/ILSVRC2015_clsloc_validation_ground_truth.txt", into: sink)
        XCTAssertEqual(n, ordered.count)
        XCTAssertEqual(sink.labels, ordered.map { Int64($0["label"] as! Int - 1) })
        XCTAssertEqual(sink.images, ordered.flatMap { ImageNet16Fixtures.bytes(hex: $0["rgb16"] as! String) })
        let numbers = ordered.map { Int64(Int(($0["path"] as! String).dropFirst("val/ILSVRC2012_val_".count).prefix(8))! - 1) }
        XCTAssertEqual(sink.indices, numbers)
    }

    func testSplitRouterAndShards() throws {
        let xv = CollectingSink(), xt = CollectingSink(), ori = CollectingSink()
        let router = SplitRouter(xvalid: [0, 2, 3, 7], xtest: [1, 4, 5, 6, 8], xValid: xv, xTest: xt)
        let builder = ILSVRCImageNet16Builder(tree: try tree(classes: 3), options: options(threads: 2))
        builder.batchSize = 2
        try builder.buildValidation(groundTruth: root + "/devkit/ILSVRC2015_clsloc_validation_ground_truth.txt", into: ori, split: router)
        XCTAssertEqual(xv.indices, [0, 2, 3, 7]); XCTAssertEqual(xt.indices, [1, 4, 5, 6, 8])
        XCTAssertEqual(xv.images, Array(ori.images[0..<768]) + Array(ori.images[(2 * 768)..<(4 * 768)]) + Array(ori.images[(7 * 768)..<(8 * 768)]))
        // A split of the wrong size is refused.
        let bad = SplitRouter(xvalid: [0], xtest: [1], xValid: CollectingSink(), xTest: CollectingSink())
        XCTAssertThrowsError(try builder.buildValidation(groundTruth: root + "/devkit/ILSVRC2015_clsloc_validation_ground_truth.txt",
                                                         into: CollectingSink(), split: bad))
        // K counts from 0, as pack-archive's --shard and Slurm's $SLURM_ARRAY_TASK_ID.
        XCTAssertEqual(ILSVRCImageNet16Builder.shardLabels(0, of: 3, classes: 120), 1...40)
        XCTAssertEqual(ILSVRCImageNet16Builder.shardLabels(2, of: 3, classes: 120), 81...120)
        XCTAssertEqual(ILSVRCImageNet16Builder.shardLabels(1, of: 3, classes: 5), 2...3)
        XCTAssertNil(ILSVRCImageNet16Builder.shardLabels(3, of: 3, classes: 5))
        XCTAssertNil(ILSVRCImageNet16Builder.shardLabels(-1, of: 3, classes: 5))
    }
}

extension ImageNet16ILSVRCTests {
    func testOneWorkerReusingItsBuffersEqualsFreshDecodes() throws {
        // A single worker keeps its file, pixel and scratch buffers and its kernels from image to
        // image: sizes going up and down, CMYK, PNG and a failing file in between must not leak
        // into the next image.
        let paths = try (1...5).flatMap { try tree().trainImages(label: $0).map(\.path) }
        let order = paths + paths.reversed()
        let (pixels, failures) = ImageNet16Downsampler(options: options(threads: 1)).process(order)
        let decoder = ImageDecoder()
        for (i, path) in order.enumerated() {
            let got = Array(pixels[(i * 768)..<((i + 1) * 768)])
            if let fresh = try? ImageNet16Downsampler.downsample(path: path, decoder: decoder, size: 16, passOrder: .pillow13) {
                XCTAssertNil(failures[i], path)
                XCTAssertEqual(got, fresh, path)
            } else {
                XCTAssertNotNil(failures[i], path)
                XCTAssertEqual(got, [UInt8](repeating: 0, count: 768), path)
            }
        }
        XCTAssertEqual(failures.compactMap { $0 }.count, 2)
    }
}
