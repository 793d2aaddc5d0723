import Foundation
import HDF5
import XCTest
@testable import ImageSet

final class ImageSetTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "nasdata-imageset-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func testDigestMatchesThePythonFormula() {
        // Value from: sum(int.from_bytes(sha256(np.int64(l).tobytes() + img).digest(), "big")) % 2**256
        var d = ImageSetDigest()
        d.add(label: 1, image: [UInt8](repeating: 0, count: 12))
        d.add(label: 2, image: [UInt8](repeating: 255, count: 12))
        d.add(label: 1, image: [UInt8](repeating: 0, count: 12))
        XCTAssertEqual(d.hex, "c3ae4db805d1788af0be04a37de316cefcf1ccf6542a6e9c0983f429081f434e")
    }

    func testDigestIsOrderIndependentButCountsDuplicatesAndLabels() {
        let a: [UInt8] = Array(0..<12), b: [UInt8] = Array(100..<112)
        var x = ImageSetDigest(), y = ImageSetDigest(), z = ImageSetDigest(), w = ImageSetDigest()
        x.add(label: 0, image: a); x.add(label: 1, image: b)
        y.add(label: 1, image: b); y.add(label: 0, image: a)
        z.add(label: 0, image: a); z.add(label: 1, image: b); z.add(label: 1, image: b)
        w.add(label: 1, image: a); w.add(label: 0, image: b)
        XCTAssertEqual(x.hex, y.hex)
        XCTAssertNotEqual(x.hex, z.hex)
        XCTAssertNotEqual(x.hex, w.hex)
        var merged = ImageSetDigest(); var part = ImageSetDigest()
        merged.add(label: 1, image: b); part.add(label: 0, image: a)
        merged.merge(part)
        XCTAssertEqual(merged.hex, x.hex)
    }

    /// Records with recognisable pixels: image i is filled with i, label i % 3.
    func records(_ range: Range<Int>, h: Int = 2, w: Int = 2) -> (images: [UInt8], labels: [Int64], indices: [Int64]) {
        (range.flatMap { [UInt8](repeating: UInt8($0), count: h * w * 3) }, range.map { Int64($0 % 3) }, range.map { Int64($0 * 10) })
    }

    func info(_ name: String = "toy") -> ImageDatasetInfo {
        ImageDatasetInfo(name: name, classNames: ["a", "b", "c"], height: 2, width: 2,
                         mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], source: "unit test")
    }

    func testAppendAndFixedModesRoundTrip() throws {
        let path = dir + "/sets.h5"
        try File.writeAtomically(to: path) { file in
            try ImageSetLayout.markRoot(file)
            let group = try ImageSetLayout.createDataset(in: file, info())
            let appended = try ImageSetWriter(dataset: group, name: "train", height: 2, width: 2, chunkImages: 4)
            // Uneven pieces: 3, 7, 1 records -> chunks of 4 and a partial last one.
            for r in [0..<3, 3..<10, 10..<11] {
                let x = records(r)
                try appended.append(images: x.images, labels: x.labels, indices: x.indices)
            }
            XCTAssertEqual(try appended.finish().count, 11)
            let placed = try ImageSetWriter(dataset: group, name: "ori-test", height: 2, width: 2, count: 6, chunkImages: 4)
            for r in [3..<6, 0..<3] {
                let x = records(r)
                try placed.write(at: r.lowerBound, images: x.images, labels: x.labels, indices: x.indices)
            }
            try placed.finish()
        }
        let train = try ImageSetReader(path: path, set: "toy/train")
        XCTAssertEqual(train.count, 11)
        XCTAssertEqual(train.classNames, ["a", "b", "c"])
        XCTAssertEqual(train.mean, [0.5, 0.5, 0.5])
        XCTAssertEqual(train.chunkImages, 4)
        let batch = try train.readBatch(start: 2, count: 5)
        XCTAssertEqual(batch.labels, (2..<7).map { Int64($0 % 3) })
        XCTAssertEqual(batch.indices, (2..<7).map { Int64($0 * 10) })
        XCTAssertEqual(Array(batch.image(4)), [UInt8](repeating: 6, count: 12))
        // (6/255 - 0.5) / 0.25 in every channel.
        XCTAssertEqual(batch.normalizedNCHW(mean: train.mean, std: train.std)[4 * 12], Float((6.0 / 255 - 0.5) / 0.25), accuracy: 1e-6)
        XCTAssertEqual(try ImageSetReader.sets(in: train.file), ["toy/train", "toy/ori-test"])
        var expected = ImageSetDigest()
        let all = records(0..<11)
        expected.add(labels: all.labels, images: all.images)
        XCTAssertEqual(train.digest, expected.hex)
        XCTAssertEqual(try ImageSetIntegrity.verify(file: path), [])
    }

    func testPositionalWritesWithoutACountGrowAndMustBeGapFree() throws {
        let path = dir + "/grow.h5"
        try File.writeAtomically(to: path) { file in
            try ImageSetLayout.markRoot(file)
            let group = try ImageSetLayout.createDataset(in: file, info())
            let set = try ImageSetWriter(dataset: group, name: "train", height: 2, width: 2, chunkImages: 4)
            for r in [5..<9, 0..<5] {
                let x = records(r)
                try set.write(at: r.lowerBound, images: x.images, labels: x.labels, indices: x.indices)
            }
            XCTAssertEqual(try set.finish().count, 9)
        }
        let batch = try ImageSetReader(path: path, set: "toy/train").readBatch(start: 0, count: 9)
        XCTAssertEqual(batch.indices, (0..<9).map { Int64($0 * 10) })
        XCTAssertEqual(try ImageSetIntegrity.verify(file: path), [])
        XCTAssertThrowsError(try File.writeAtomically(to: dir + "/gap.h5") { file in
            let group = try ImageSetLayout.createDataset(in: file, info())
            let set = try ImageSetWriter(dataset: group, name: "train", height: 2, width: 2)
            let x = records(4..<6)
            try set.write(at: 4, images: x.images, labels: x.labels, indices: x.indices)
            try set.finish()
        }) { XCTAssertTrue("\($0)".contains("only 2 of 6 records were written (first missing: 0)"), "\($0)") }
    }

    func testFixedModeRefusesGapsAndDoubleWrites() throws {
        let path = dir + "/gaps.h5"
        XCTAssertThrowsError(try File.writeAtomically(to: path) { file in
            let group = try ImageSetLayout.createDataset(in: file, info())
            let set = try ImageSetWriter(dataset: group, name: "x-valid", height: 2, width: 2, count: 5)
            let x = records(0..<3)
            try set.write(at: 0, images: x.images, labels: x.labels, indices: x.indices)
            try set.finish()
        }) { XCTAssertTrue("\($0)".contains("only 3 of 5"), "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "no output after a failed build")
        XCTAssertThrowsError(try File.writeAtomically(to: path) { file in
            let group = try ImageSetLayout.createDataset(in: file, info())
            let set = try ImageSetWriter(dataset: group, name: "x-valid", height: 2, width: 2, count: 5)
            let x = records(0..<3)
            try set.write(at: 0, images: x.images, labels: x.labels, indices: x.indices)
            try set.write(at: 2, images: x.images, labels: x.labels, indices: x.indices)
        }) { XCTAssertTrue("\($0)".contains("written twice"), "\($0)") }
    }

    func testLabelsOutsideTheClassesAreRefused() throws {
        XCTAssertThrowsError(try File.writeAtomically(to: dir + "/labels.h5") { file in
            let group = try ImageSetLayout.createDataset(in: file, info())
            let set = try ImageSetWriter(dataset: group, name: "train", height: 2, width: 2)
            try set.append(images: [UInt8](repeating: 0, count: 12), labels: [3], indices: [0])
        }) { XCTAssertTrue("\($0)".contains("label 3 is outside 0..<3"), "\($0)") }
    }

    func testIntegrityFindsChangedPixelsAndCounts() throws {
        let path = dir + "/tamper.h5"
        try File.writeAtomically(to: path) { file in
            try ImageSetLayout.markRoot(file)
            let group = try ImageSetLayout.createDataset(in: file, info())
            let set = try ImageSetWriter(dataset: group, name: "train", height: 2, width: 2, chunkImages: 4)
            let x = records(0..<9)
            try set.append(images: x.images, labels: x.labels, indices: x.indices)
            try set.finish()
        }
        let file = try File.open(path, mode: .readWrite)
        try file.openDataset("toy/train/images").write([UInt8(77)], start: [7, 1, 1, 2], count: [1, 1, 1, 1])
        try file.openGroup("toy/train").setAttribute("count", .int(10))
        try file.openDataset("toy/train/indices").write([Int64(-1)], start: [3], count: [1])
        try file.openGroup("toy").setAttribute("image_shape", .ints([3, 3, 3]))
        file.close()
        let problems = try ImageSetIntegrity.verify(file: path)
        XCTAssertEqual(problems.count, 4, "\(problems)")
        XCTAssertTrue(problems.contains { $0.message.contains("record 3 has a negative original index") })
        XCTAssertTrue(problems.contains { $0.message.contains("image_shape is [3, 3, 3]") })
        XCTAssertTrue(problems.contains { $0.object == "/toy/train" && $0.message.contains("content digest mismatch") })
        XCTAssertTrue(problems.contains { $0.message.contains("count attribute says 10") })
    }

    func testMissingSetNamesTheAlternatives() throws {
        let path = dir + "/names.h5"
        try File.writeAtomically(to: path) { file in
            let group = try ImageSetLayout.createDataset(in: file, info())
            try ImageSetWriter(dataset: group, name: "train", height: 2, width: 2).finish()
        }
        XCTAssertThrowsError(try ImageSetReader(path: path, set: "toy/x-valid")) {
            XCTAssertTrue("\($0)".contains("toy/train"), "\($0)")
        }
    }
}
