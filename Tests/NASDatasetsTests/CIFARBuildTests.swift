import Checksums
import Foundation
import HDF5
import HDF5Schema
import NASDataIO
import XCTest
@testable import NASDatasets
import ImageSet

final class CIFARBuildTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "nasdata-cifar-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Every set: count, original indices, labels, and image i == original[split[i]]
    /// (per-record SHA-256 of label || HWC image, computed by numpy in the fixture script).
    func assertMatchesExpected(_ path: String, datasets: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try CIFARFixtures.expected()
        let h5 = try File.open(path)
        defer { h5.close() }
        var checked = 0
        for dataset in datasets {
            for (set, want) in try XCTUnwrap(expected.sets[dataset]) {
                let reader = try ImageSetReader(file: h5, set: "\(dataset)/\(set)")
                XCTAssertEqual(reader.count, want.indices.count, "\(dataset)/\(set) count", file: file, line: line)
                let batch = try reader.readBatch(start: 0, count: reader.count)
                XCTAssertEqual(batch.indices, want.indices, "\(dataset)/\(set) indices", file: file, line: line)
                XCTAssertEqual(batch.labels, want.labels, "\(dataset)/\(set) labels", file: file, line: line)
                for i in 0..<batch.count {
                    var one = ImageSetDigest()
                    one.add(label: batch.labels[i], image: Array(batch.image(i)))
                    if one.hex != want.record_sha256[i] {
                        XCTFail("\(dataset)/\(set) record \(i) differs from original[\(want.indices[i])]", file: file, line: line)
                        break
                    }
                }
                XCTAssertEqual(reader.digest, want.digest, "\(dataset)/\(set) digest", file: file, line: line)
                let variant = dataset == "cifar100" ? "cifar100" : "cifar10"
                XCTAssertEqual(reader.classNames, expected.classNames[variant], file: file, line: line)
                checked += 1
            }
        }
        XCTAssertEqual(checked, datasets.reduce(0) { $0 + (expected.sets[$1]?.count ?? 0) })
        let schema = try SchemaLibrary(directory: CIFARFixtures.repoRoot.appendingPathComponent("Schemas").path)
            .schema(named: "nb201-dataset", version: 1)
        XCTAssertEqual(try SchemaChecker.check(file: h5, schema: schema).map { "\($0)" }, [], file: file, line: line)
        XCTAssertEqual(try ImageSetIntegrity.verify(file: path), [], file: file, line: line)
    }

    func options(_ c10: String?, _ c100: String?, splits: String? = CIFARFixtures.splits) -> CIFARBuildOptions {
        // The fixture split files are not the official ones: their SHA-256 differs.
        CIFARBuildOptions(cifar10: c10.map(CIFARFixtures.path), cifar100: c100.map(CIFARFixtures.path),
                          splits: splits.map { .directory($0) } ?? .none, allowUnverified: true)
    }

    func testBinaryTarballs() throws {
        let out = dir + "/bin.h5"
        let report = try CIFARBuilder.build(options("cifar-10-binary.tar.gz", "cifar-100-binary.tar.gz"), output: out)
        XCTAssertEqual(report.sets.map(\.path), ["/cifar10-valid/train", "/cifar10-valid/x-valid", "/cifar10-valid/ori-test",
                                                 "/cifar10/train", "/cifar10/ori-test",
                                                 "/cifar100/train", "/cifar100/x-valid", "/cifar100/x-test", "/cifar100/ori-test"])
        XCTAssertTrue(report.inputs.allSatisfy { $0.verification.hasPrefix("no published checksum") })
        try assertMatchesExpected(out, datasets: ["cifar10-valid", "cifar10", "cifar100"])
        let h5 = try File.open(out)
        XCTAssertEqual(try h5.attribute("nasdata_schema")?.stringValue, "nb201-dataset")
        XCTAssertEqual(try h5.openGroup("cifar10").attribute("mean")?.doublesValue, [125.3 / 255, 123.0 / 255, 113.9 / 255])
        XCTAssertEqual(try h5.openGroup("cifar100").attribute("std")?.doublesValue, [68.2 / 255, 65.4 / 255, 70.4 / 255])
        h5.close()
    }

    func testPythonTarballs() throws {
        let out = dir + "/py.h5"
        let report = try CIFARBuilder.build(options("cifar-10-python.tar.gz", "cifar-100-python.tar.gz"), output: out)
        XCTAssertEqual(report.inputs.map(\.format), ["python", "python"])
        // Not the published archives: built only because allowUnverified is set, and said so.
        XCTAssertTrue(report.inputs.allSatisfy { $0.verification.hasPrefix("unverified") }, "\(report.inputs)")
        try assertMatchesExpected(out, datasets: ["cifar10-valid", "cifar10", "cifar100"])
    }

    /// The report `nasdata build-cifar` prints: JSON (what scripts read) and text.
    func testReportRendering() throws {
        let out = dir + "/report.h5"
        let report = try CIFARBuilder.build(options("cifar-10-binary.tar.gz", nil), output: out)
        XCTAssertEqual(report.output, out)
        XCTAssertGreaterThan(report.seconds, 0)
        let expected = try CIFARFixtures.expected()
        let doc = try JSONSerialization.jsonObject(with: try report.json()) as! [String: Any]
        XCTAssertEqual(doc["output"] as? String, out)
        XCTAssertEqual((doc["inputs"] as? [[String: Any]])?.map { $0["container"] as? String }, ["tarball"])
        let sets = try XCTUnwrap(doc["sets"] as? [[String: Any]])
        XCTAssertEqual(sets.map { $0["set"] as? String }, ["cifar10-valid/train", "cifar10-valid/x-valid", "cifar10-valid/ori-test",
                                                          "cifar10/train", "cifar10/ori-test"])
        for set in sets {
            let name = (set["set"] as! String).split(separator: "/").map(String.init)
            let want = try XCTUnwrap(expected.sets[name[0]]?[name[1]])
            XCTAssertEqual(set["digest"] as? String, want.digest, name.joined(separator: "/"))
            XCTAssertEqual(set["count"] as? Int, want.indices.count, name.joined(separator: "/"))
        }
        let lines = report.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.first, "CIFAR-10 (binary, tarball): \(CIFARFixtures.path("cifar-10-binary.tar.gz"))")
        let trainDigest = try XCTUnwrap(expected.sets["cifar10-valid"]?["train"]?.digest)
        XCTAssertTrue(lines.contains(String(format: "cifar10-valid/train     %7d images  digest %@…",
                                            expected.sets["cifar10-valid"]!["train"]!.indices.count, String(trainDigest.prefix(16)))),
                      report.text)
        XCTAssertTrue(lines.dropLast().last!.hasPrefix("wrote \(out) (5 sets) in "), report.text)
        XCTAssertEqual(lines.last, "")
    }

    func testPythonAndBinaryGiveTheSameDigests() throws {
        let py = try CIFARBuilder.build(options("cifar-10-python.tar.gz", "cifar-100-python.tar.gz"), output: dir + "/a.h5")
        let bin = try CIFARBuilder.build(options("cifar-10-binary.tar.gz", "cifar-100-binary.tar.gz"), output: dir + "/b.h5")
        XCTAssertEqual(py.sets, bin.sets)
    }

    func testPythonTarballWithWrongChecksumIsRefused() throws {
        var opts = options("cifar-10-python.tar.gz", nil, splits: nil)
        opts.allowUnverified = false
        let out = dir + "/refused.h5"
        // Not the published size: refused before anything is read.
        XCTAssertThrowsError(try CIFARBuilder.build(opts, output: out)) { error in
            guard let mismatch = error as? ChecksumMismatch else { return XCTFail("\(error)") }
            XCTAssertEqual(mismatch.expected, "170498071 bytes")
            XCTAssertTrue(mismatch.description.contains("--allow-unverified"))
        }
        // The published size but another MD5: built alongside the hash, then refused.
        let size = try FileByteStream(path: CIFARFixtures.path("cifar-10-python.tar.gz")).size
        opts.knownArchives[.cifar10] = .init(md5: "c58f30108f718f92721af3b95e74349a", size: size,
                                             trainCounts: [23, 25, 350, 26, 22], testCount: 40)
        XCTAssertThrowsError(try CIFARBuilder.build(opts, output: out)) { error in
            guard let mismatch = error as? ChecksumMismatch else { return XCTFail("\(error)") }
            XCTAssertEqual(mismatch.algorithm, "MD5")
            XCTAssertEqual(mismatch.expected, "c58f30108f718f92721af3b95e74349a")
        }
        // ... and with other counts too: the checksum is what is reported.
        opts.knownArchives[.cifar10]!.trainCounts = [10_000, 10_000, 10_000, 10_000, 10_000]
        XCTAssertThrowsError(try CIFARBuilder.build(opts, output: out)) { XCTAssertTrue($0 is ChecksumMismatch, "\($0)") }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [])
    }

    func testVerifiedArchiveUsesPublishedCountsAndChecksThem() throws {
        // Pretend the fixture is the published original (its MD5 and counts).
        let md5 = try FileHasher.hash(path: CIFARFixtures.path("cifar-10-python.tar.gz"), algorithms: [.md5]).md5!.hex
        var opts = options("cifar-10-python.tar.gz", nil, splits: nil)
        opts.allowUnverified = false
        opts.knownArchives[.cifar10] = .init(md5: md5, trainCounts: [23, 25, 350, 26, 22], testCount: 40)
        let report = try CIFARBuilder.build(opts, output: dir + "/verified.h5")
        XCTAssertEqual(report.inputs[0].verification, "verified (published MD5)")
        XCTAssertEqual(report.inputs[0].md5, md5)
        try assertMatchesExpected(dir + "/verified.h5", datasets: ["cifar10-valid", "cifar10"])
        // A published count that disagrees with the file is caught.
        opts.knownArchives[.cifar10] = .init(md5: md5, trainCounts: [23, 25, 350, 25, 23], testCount: 40)
        XCTAssertThrowsError(try CIFARBuilder.build(opts, output: dir + "/counts.h5")) {
            XCTAssertTrue("\($0)".contains("data_batch_"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/counts.h5"))
    }

    func testCorruptPythonArchiveIsRefused() throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: CIFARFixtures.path("cifar-100-python.tar.gz"))))
        bytes.removeLast(bytes.count / 3)
        let input = dir + "/cifar-100-python.tar.gz"
        try Data(bytes).write(to: URL(fileURLWithPath: input))
        XCTAssertThrowsError(try CIFARBuilder.build(CIFARBuildOptions(cifar100: input, splits: .directory(CIFARFixtures.splits),
                                                                     allowUnverified: true), output: dir + "/c.h5")) {
            XCTAssertTrue("\($0)".hasPrefix(input), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/c.h5"))
    }

    func testRegeneratedSplitEqualsTheFixtureSplit() throws {
        // No --splits: the CIFAR-10 split is regenerated for the fixture's 446 images
        // with the upstream rule; the fixture script wrote its file with Python's random.
        let out = dir + "/regen.h5"
        let report = try CIFARBuilder.build(options("cifar-10-binary.tar.gz", nil, splits: nil), output: out)
        XCTAssertTrue(report.splits[0].contains("regenerated"), report.splits[0])
        try assertMatchesExpected(out, datasets: ["cifar10-valid", "cifar10"])
    }

    func testCIFAR100NeedsTheSplitFile() throws {
        XCTAssertThrowsError(try CIFARBuilder.build(options(nil, "cifar-100-binary.tar.gz", splits: nil), output: dir + "/x.h5")) {
            XCTAssertTrue("\($0)".contains("cifar100-test-split.txt"), "\($0)")
        }
    }

    func testUnofficialSplitFileIsRefusedWithoutAllowUnverified() throws {
        var opts = options("cifar-10-binary.tar.gz", nil)
        opts.allowUnverified = false
        let out = dir + "/strict.h5"
        XCTAssertThrowsError(try CIFARBuilder.build(opts, output: out)) { error in
            XCTAssertTrue("\(error)".contains("cifar-split.txt"), "\(error)")
            XCTAssertTrue("\(error)".contains("--allow-unverified"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "no output, no temp file")
    }

    func testWrongSizedSplitIsRefused() throws {
        // The official 50,000-image split against a 446-image original.
        let out = dir + "/size.h5"
        XCTAssertThrowsError(try CIFARBuilder.build(options("cifar-10-binary.tar.gz", nil, splits: CIFARFixtures.officialSplits), output: out)) {
            XCTAssertTrue("\($0)".contains("indexes 50000 records"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        // By default the built-in official split is used, and refused the same way, with the way out.
        let defaults = CIFARBuildOptions(cifar10: CIFARFixtures.path("cifar-10-binary.tar.gz"), allowUnverified: true)
        XCTAssertEqual(defaults.splits, .official)
        XCTAssertThrowsError(try CIFARBuilder.build(defaults, output: out)) {
            XCTAssertTrue("\($0)".contains("cifar-split.txt (official, built into nasdata)"), "\($0)")
            XCTAssertTrue("\($0)".contains("--no-splits"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testCorruptAndTruncatedTarballsLeaveNoOutput() throws {
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: CIFARFixtures.path("cifar-10-binary.tar.gz"))))
        var corrupt = original
        for i in (original.count / 2)..<(original.count / 2 + 64) { corrupt[i] ^= 0x5A }
        let truncated = Array(original[0..<(original.count * 2 / 3)])
        for (name, bytes) in [("corrupt", corrupt), ("truncated", truncated)] {
            let input = dir + "/\(name)-cifar-10-binary.tar.gz"
            try Data(bytes).write(to: URL(fileURLWithPath: input))
            let out = dir + "/\(name).h5"
            XCTAssertThrowsError(try CIFARBuilder.build(
                CIFARBuildOptions(cifar10: input, splits: .directory(CIFARFixtures.splits), allowUnverified: true), output: out)) { error in
                XCTAssertTrue("\(error)".contains(input), "\(name): \(error)")
            }
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".h5") }, [], name)
        }
    }

    func testExtractedFolders() throws {
        for (archive, folder) in [("cifar-10-binary.tar.gz", "cifar-10-batches-bin"), ("cifar-10-python.tar.gz", "cifar-10-batches-py")] {
            // Extract with nasdata's own tar reader, then build from the folder.
            let root = dir + "/extracted-" + folder
            let tar = try TarReader(path: CIFARFixtures.path(archive))
            while let entry = try tar.next() {
                let target = root + "/" + entry.name
                if entry.kind == .directory {
                    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
                } else if entry.isFile {
                    try Data(tar.contents.readToEnd(limit: 1 << 24)).write(to: URL(fileURLWithPath: target))
                }
            }
            let out = dir + "/folder.h5"
            // Either the folder itself or its parent.
            for input in [root, root + "/" + folder] {
                let report = try CIFARBuilder.build(CIFARBuildOptions(cifar10: input, splits: .directory(CIFARFixtures.splits), allowUnverified: true), output: out)
                XCTAssertEqual(report.inputs[0].container, "folder")
                if folder.hasSuffix("py") {
                    // The fixture batches carry the real file names, so their MD5s are checked (and differ).
                    XCTAssertTrue(report.inputs[0].verification.hasPrefix("unverified"), report.inputs[0].verification)
                }
                try assertMatchesExpected(out, datasets: ["cifar10-valid", "cifar10"])
            }
            XCTAssertThrowsError(try CIFARBuilder.build(CIFARBuildOptions(cifar10: root + "/" + folder, splits: .directory(CIFARFixtures.splits)),
                                                        output: dir + "/strict.h5")) { error in
                // Python batches: the published per-file MD5 differs; binary: the split file is not official.
                XCTAssertTrue(error is ChecksumMismatch, "\(error)")
            }
        }
    }

    func testWrongVariantIsNamed() throws {
        XCTAssertThrowsError(try CIFARBuilder.build(options("cifar-100-binary.tar.gz", nil), output: dir + "/x.h5")) {
            XCTAssertTrue("\($0)".contains("--cifar100"), "\($0)")
        }
    }
}
