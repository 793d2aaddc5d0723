import XCTest
import HDF5Schema
import NASDataIO
@testable import NASDatasets
import ImageSet

/// `--downsampled` from the `.npz` form of the release (extracted files, and the zip archives
/// holding them) gives exactly what the pickled batches give.
final class ImageNet16NpzTests: XCTestCase {
    var fixtures: URL { ImageNet16Fixtures.directory }
    var pickles: String { fixtures.appendingPathComponent("downsampled").path }
    var splits: String { pickles + "/splits" }
    let sets = ["train", "ori-test", "x-valid", "x-test"]

    func readSet(_ path: String, _ set: String) throws -> ImageBatch {
        let r = try ImageSetReader(path: path, set: "ImageNet16-120/" + set)
        return try r.readBatch(start: 0, count: r.count)
    }

    /// Builds from `source` and checks every set against the build from the pickles.
    func assertSameAsPickles(_ source: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try ImageNet16Fixtures.scratch("npz-" + URL(fileURLWithPath: source).lastPathComponent)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fromPickles = dir.appendingPathComponent("p.h5").path, fromNpz = dir.appendingPathComponent("n.h5").path
        let p = try ImageNet16Build.fromDownsampled(directory: pickles, output: fromPickles, splitsDirectory: splits, allowUnverified: true)
        let n = try ImageNet16Build.fromDownsampled(directory: source, output: fromNpz, splitsDirectory: splits, allowUnverified: true)
        XCTAssertEqual(n.sets.map(\.count), p.sets.map(\.count), file: file, line: line)
        XCTAssertEqual(n.sets.map(\.digest), p.sets.map(\.digest), file: file, line: line)
        XCTAssertEqual(n.sets.count, 4, file: file, line: line)
        for set in sets {
            let a = try readSet(fromPickles, set), b = try readSet(fromNpz, set)
            XCTAssertEqual(b.images, a.images, set, file: file, line: line)
            XCTAssertEqual(b.labels, a.labels, set, file: file, line: line)
            XCTAssertEqual(b.indices, a.indices, set, file: file, line: line)
        }
        let expected = try ImageNet16Fixtures.json("downsampled/expected.json")
        XCTAssertEqual(try readSet(fromNpz, "train").labels, (expected["train_labels"] as! [Int]).map(Int64.init), file: file, line: line)
        XCTAssertEqual(try readSet(fromNpz, "ori-test").labels, (expected["val_labels"] as! [Int]).map(Int64.init), file: file, line: line)
        XCTAssertTrue(n.notes.contains { $0.contains(".npz") }, "\(n.notes)", file: file, line: line)
        let library = SchemaLibrary(directory: ImageNet16Fixtures.repoRoot.appendingPathComponent("Schemas").path)
        XCTAssertEqual(try SchemaChecker.check(file: fromNpz, schema: library.schema(named: "nb201-dataset", version: 1)).map { "\($0)" }, [],
                       file: file, line: line)
        // Nothing left behind next to the output (archived .npz files are unpacked there).
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["n.h5", "p.h5"], file: file, line: line)
    }

    func testExtractedNpzFilesGiveThePickledRows() throws {
        // Odd batches np.savez (stored members), even ones and val_data np.savez_compressed (deflated).
        try assertSameAsPickles(fixtures.appendingPathComponent("downsampled-npz").path)
    }

    func testNpzArchivesGiveThePickledRows() throws {
        try assertSameAsPickles(fixtures.appendingPathComponent("downsampled-npz-zips").path)
    }

    func testSourcesPreferPicklesThenNpzThenArchives() throws {
        let flat = try DownsampledImageNet.sources(in: fixtures.appendingPathComponent("downsampled-npz").path)
        XCTAssertEqual(flat.count, 11)
        XCTAssertTrue(flat.allSatisfy { if case .npz = $0 { return true } else { return false } })
        let zips = try DownsampledImageNet.sources(in: fixtures.appendingPathComponent("downsampled-npz-zips").path)
        XCTAssertEqual(zips.last, .npzInZip(zip: fixtures.appendingPathComponent("downsampled-npz-zips/Imagenet16_val_npz.zip").path,
                                            entry: "Imagenet16_val_npz/val_data.npz"))
        let dir = try ImageNet16Fixtures.scratch("npz-missing")
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try DownsampledImageNet.sources(in: dir.path)) {
            XCTAssertTrue("\($0)".contains("train_data_batch_1"), "\($0)"); XCTAssertTrue("\($0)".contains(".npz"), "\($0)")
        }
    }

    func testNpzWithoutAllowUnverifiedMustHaveThePublishedCounts() throws {
        let dir = try ImageNet16Fixtures.scratch("npz-counts")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("o.h5").path
        XCTAssertThrowsError(try ImageNet16Build.fromDownsampled(directory: fixtures.appendingPathComponent("downsampled-npz").path, output: out,
                                                                 splitsDirectory: nil, allowUnverified: false)) {
            XCTAssertTrue("\($0)".contains("151700") || "\($0)".contains("151,700"), "\($0)"); XCTAssertTrue("\($0)".contains(".npz"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    /// Copies the extracted fixture, lets `damage` spoil one file, and expects a build error
    /// naming that file (and `mention`) with no output written.
    func assertCorruptionFails(_ name: String, mention: String, _ damage: (inout [UInt8]) -> Void) throws {
        let dir = try ImageNet16Fixtures.scratch("npz-corrupt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = dir.appendingPathComponent("src")
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("downsampled-npz"), to: src)
        let victim = src.appendingPathComponent(name)
        var bytes = [UInt8](try Data(contentsOf: victim))
        damage(&bytes)
        try Data(bytes).write(to: victim)
        let out = dir.appendingPathComponent("o.h5").path
        XCTAssertThrowsError(try ImageNet16Build.fromDownsampled(directory: src.path, output: out, splitsDirectory: splits, allowUnverified: true)) {
            XCTAssertTrue("\($0)".contains(name), "\($0)"); XCTAssertTrue("\($0)".contains(mention), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["src"])
    }

    /// Offset of `data.npy`'s bytes inside a stored (np.savez) .npz: after its local header.
    func storedDataOffset(_ bytes: [UInt8]) -> Int {
        let n = Int(bytes[26]) | Int(bytes[27]) << 8, x = Int(bytes[28]) | Int(bytes[29]) << 8
        return 30 + n + x
    }

    func testStoredMemberWithAFlippedByteIsACRCError() throws {
        try assertCorruptionFails("train_data_batch_3.npz", mention: "CRC-32 mismatch in data.npy") { b in
            b[storedDataOffset(b) + 200] ^= 0x01
        }
    }

    func testDeflatedMemberWithAFlippedByteIsAnError() throws {
        // A flipped bit in deflate data is either corrupt deflate or a CRC mismatch; both name the entry.
        try assertCorruptionFails("val_data.npz", mention: "data.npy") { b in
            b[storedDataOffset(b) + 1000] ^= 0x10
        }
    }

    func testTruncatedNpzIsAnError() throws {
        try assertCorruptionFails("train_data_batch_2.npz", mention: "zip") { b in b.removeLast(b.count / 2) }
    }

    func testCorruptArchiveNamesTheArchiveAndEntryAndLeavesNothing() throws {
        let dir = try ImageNet16Fixtures.scratch("npz-corrupt-zip")
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = dir.appendingPathComponent("src")
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("downsampled-npz-zips"), to: src)
        let victim = src.appendingPathComponent("Imagenet16_val_npz.zip")
        var bytes = [UInt8](try Data(contentsOf: victim))
        bytes[storedDataOffset(bytes) + 3000] ^= 0x04
        try Data(bytes).write(to: victim)
        let out = dir.appendingPathComponent("o.h5").path
        XCTAssertThrowsError(try ImageNet16Build.fromDownsampled(directory: src.path, output: out, splitsDirectory: splits, allowUnverified: true)) {
            XCTAssertTrue("\($0)".contains("Imagenet16_val_npz.zip"), "\($0)")
            XCTAssertTrue("\($0)".contains("val_data.npz"), "\($0)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["src"])
    }
}
