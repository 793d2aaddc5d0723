import XCTest
import Foundation
import Checksums
import HDF5
import NASDatasets
@testable import Verify

/// Every rule, and every corruption kind (truncation, flipped byte, wrong suffix,
/// swapped files, HTML page), on small files made at test time.
final class VerifierTests: XCTestCase {
    var dir: String!
    let verifier = Verifier(jobs: 2, showProgress: false)
    /// Suffix-named stand-ins are random bytes: only their name suffix is under test.
    let hashOnly = Verifier(jobs: 2, showProgress: false, hashOnly: true)

    override func setUpWithError() throws { dir = try TestSupport.makeTempDir("verifier") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    private func one(_ path: String, hashOnly: Bool = false) throws -> FileReport {
        let reports = (hashOnly ? self.hashOnly : verifier).verify(paths: [path])
        XCTAssertEqual(reports.count, 1)
        return try XCTUnwrap(reports.first)
    }

    // MARK: checksum suffix

    /// A small stand-in benchmark file named with the last 6 hex of its own MD5.
    private func makeSuffixFile(family: String, digits: Int, seed: UInt64) throws -> (String, [UInt8]) {
        let bytes = TestSupport.pseudoRandom(50_000, seed: seed)
        let md5 = MD5.hash(bytes).hex
        let name = family.replacingOccurrences(of: "SUFFIX", with: String(md5.suffix(digits)))
        let path = dir + "/" + name
        try TestSupport.write(bytes, to: path)
        return (path, bytes)
    }

    func testSuffixRulePassesAndReportsDigest() throws {
        let (path, bytes) = try makeSuffixFile(family: "NAS-Bench-201-v1_0-SUFFIX.pth", digits: 6, seed: 1)
        let r = try one(path, hashOnly: true)
        XCTAssertEqual(r.outcome, .ok, r.detail)
        XCTAssertEqual(r.kind, "NAS-Bench-201 meta file")
        XCTAssertTrue(r.rule.contains("inferred"))
        XCTAssertEqual(r.md5, MD5.hash(bytes).hex)
        XCTAssertTrue(r.detail.contains(MD5.hash(bytes).hex))

        let (nats, _) = try makeSuffixFile(family: "NATS-tss-v1_0-SUFFIX.pickle.pbz2", digits: 5, seed: 2)
        let n = try one(nats, hashOnly: true)
        XCTAssertEqual(n.outcome, .ok, n.detail)
        XCTAssertEqual(n.kind, "NATS-Bench benchmark file")
    }

    func testSuffixRuleCatchesFlippedByteTruncationAndWrongSuffix() throws {
        let (flipped, _) = try makeSuffixFile(family: "NAS-Bench-201-v1_1-SUFFIX.pth", digits: 6, seed: 3)
        try TestSupport.flipByte(flipped, at: 49_999)
        let f = try one(flipped, hashOnly: true)
        XCTAssertEqual(f.outcome, .failed)
        XCTAssertNotNil(f.md5)
        XCTAssertTrue(f.detail.contains(f.md5!), "computed digest reported on failure too")

        let (truncated, _) = try makeSuffixFile(family: "NAS-Bench-102-v1_0-SUFFIX.pth", digits: 6, seed: 4)
        try TestSupport.truncate(truncated, by: 1000)
        XCTAssertEqual(try one(truncated, hashOnly: true).outcome, .failed)

        let (good, bytes) = try makeSuffixFile(family: "NAS-Bench-201-v1_0-SUFFIX.pth", digits: 6, seed: 5)
        let wrong = dir + "/NAS-Bench-201-v1_0-e61699.pth"
        XCTAssertFalse(MD5.hash(bytes).hex.hasSuffix("e61699"))
        try FileManager.default.moveItem(atPath: good, toPath: wrong)
        let w = try one(wrong, hashOnly: true)
        XCTAssertEqual(w.outcome, .failed)
        XCTAssertTrue(w.detail.contains("does not end with e61699"), w.detail)
    }

    // MARK: known files (real split files)

    private func copySplits(into sub: String) throws -> String {
        let src = try TestSupport.splitsDir()
        let dst = dir + "/" + sub
        for name in ["cifar-split.txt", "cifar100-test-split.txt", "imagenet-16-120-test-split.txt", "ImageNet16-120-split.txt"] {
            try TestSupport.copy(src + "/" + name, to: dst + "/" + name)
        }
        return dst
    }

    func testKnownSplitFilesPassWithBothDigests() throws {
        let d = try copySplits(into: "splits")
        let reports = verifier.verify(paths: [d])
        XCTAssertEqual(reports.count, 4)
        for r in reports {
            XCTAssertEqual(r.outcome, .ok, "\(r.path): \(r.detail)")
            XCTAssertEqual(r.kind, "NB201 split file")
            XCTAssertNotNil(r.sha256)
            XCTAssertTrue(r.rule.contains("size"))
        }
    }

    func testKnownFileTruncationIsReportedWithoutHashing() throws {
        let d = try copySplits(into: "splits")
        try TestSupport.truncate(d + "/cifar-split.txt", by: 1)
        let r = try one(d + "/cifar-split.txt")
        XCTAssertEqual(r.outcome, .failed)
        XCTAssertTrue(r.detail.contains("truncated"), r.detail)
        XCTAssertTrue(r.detail.contains("not hashed"), r.detail)
        XCTAssertNil(r.md5, "size mismatch must be decided before reading the data")
    }

    func testKnownFileFlippedByte() throws {
        let d = try copySplits(into: "splits")
        try TestSupport.flipByte(d + "/imagenet-16-120-test-split.txt")
        let r = try one(d + "/imagenet-16-120-test-split.txt")
        XCTAssertEqual(r.outcome, .failed)
        XCTAssertTrue(r.detail.contains("md5"), r.detail)
        XCTAssertTrue(r.detail.contains("corrupt"), r.detail)
    }

    func testSwappedKnownFilesAreNamed() throws {
        let d = try copySplits(into: "splits")
        try TestSupport.swap(d + "/cifar-split.txt", d + "/cifar100-test-split.txt")
        let reports = verifier.verify(paths: [d + "/cifar-split.txt", d + "/cifar100-test-split.txt"])
        for r in reports {
            XCTAssertEqual(r.outcome, .failed)
            XCTAssertTrue(r.detail.contains("swapped"), r.detail)
        }
        XCTAssertTrue(reports[0].detail.contains("cifar100-test-split.txt"), reports[0].detail)
    }

    func testKnownSizeMismatchInFolderAndGenericNamesElsewhere() throws {
        // A CIFAR-10 batch in its folder with the wrong size: failed, not hashed.
        let batch = dir + "/cifar-10-batches-py/data_batch_4"
        try TestSupport.write(TestSupport.pseudoRandom(1000, seed: 9), to: batch)
        let b = try one(batch)
        XCTAssertEqual(b.kind, "CIFAR-10 batch")
        XCTAssertEqual(b.outcome, .failed)
        XCTAssertTrue(b.detail.contains("31035696"), b.detail)
        // ImageNet16 batch (size unknown): matched by folder and md5-checked.
        let inet = dir + "/ImageNet16/train_data_batch_3"
        try TestSupport.write(TestSupport.pseudoRandom(1000, seed: 10), to: inet)
        let i = try one(inet)
        XCTAssertEqual(i.outcome, .failed)
        XCTAssertTrue(i.rule.contains("size unknown"), i.rule)
        XCTAssertNotNil(i.md5)
        // The same name in an ImageNet32 folder is not claimed.
        let other = dir + "/Imagenet32_train/train_data_batch_3"
        try TestSupport.write(TestSupport.pseudoRandom(1000, seed: 11), to: other)
        let o = try one(other)
        XCTAssertEqual(o.outcome, .unchecked)
        XCTAssertTrue(o.detail.contains("not in a ImageNet16/ folder"), o.detail)
    }

    func testKnownFolderWithAMissingMemberIsReported() throws {
        let folder = dir + "/ImageNet16"
        try TestSupport.write(TestSupport.pseudoRandom(10, seed: 1), to: folder + "/val_data")
        let reports = verifier.verify(paths: [folder])
        let missing = reports.filter { $0.detail.hasPrefix("missing:") }
        XCTAssertEqual(missing.count, 10)   // train_data_batch_1..10
        XCTAssertTrue(missing.allSatisfy { $0.outcome == .failed })
        XCTAssertTrue(missing.contains { $0.path.hasSuffix("ImageNet16/train_data_batch_7") })
        // A folder with another name is not held to the list.
        let other = dir + "/mine"
        try TestSupport.write(TestSupport.pseudoRandom(10, seed: 1), to: other + "/val_data")
        XCTAssertFalse(verifier.verify(paths: [other]).contains { $0.detail.hasPrefix("missing:") })
    }

    // MARK: HTML pages

    func testHTMLPageSavedAsDataFile() throws {
        let page = try TestSupport.read(TestSupport.fixtures + "/gdrive-virus-scan.html")
        for name in ["NAS-Bench-201-v1_0-e61699.pth", "cifar-10-python.tar.gz", "000123-FULL.pth", "result.h5"] {
            let p = dir + "/" + name
            try TestSupport.write(page, to: p)
            let r = try one(p)
            XCTAssertEqual(r.outcome, .failed, name)
            XCTAssertTrue(r.detail.contains("HTML page"), r.detail)
            XCTAssertTrue(r.detail.contains("Google Drive"), r.detail)
            XCTAssertTrue(r.rule.contains("sniff"), r.rule)
        }
        // A real .html file is not a failure.
        let ok = dir + "/index.html"
        try TestSupport.write(page, to: ok)
        XCTAssertNotEqual(try one(ok).outcome, .failed)
    }

    // MARK: structure rules (partly available)

    /// 000003-FULL.pth: a generated stand-in of an archive file (Tests/Fixtures/verify/README.md).
    var fullFixture: String { TestSupport.fixtures + "/000003-FULL.pth" }

    func testWeightFileStructureIsCheckedAndNeverSilentlyPassed() throws {
        let w = dir + "/000003-FULL.pth"
        try TestSupport.copy(fullFixture, to: w)
        let r = try one(w)
        XCTAssertEqual(r.kind, "NB201 weight file")
        XCTAssertTrue(r.rule.contains("index 3"), r.rule)
        XCTAssertEqual(r.outcome, .ok, r.detail)
        XCTAssertTrue(r.detail.contains("2 state dicts (78 tensors)"), r.detail)
        XCTAssertTrue(r.detail.contains("|avg_pool_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|skip_connect~2|"), r.detail)
    }

    func testWeightsThatDoNotFitTheNetworkFail() throws {
        let r = try one(TestSupport.fixtures + "/wrong-weights/000003-FULL.pth")
        XCTAssertEqual(r.outcome, .failed)
        XCTAssertTrue(r.detail.contains("does not fit the network"), r.detail)
        XCTAssertTrue(r.detail.contains("31 missing"), r.detail)
        XCTAssertTrue(r.detail.contains("1 unexpected (extra.weight)"), r.detail)
        XCTAssertTrue(r.detail.contains("2 wrong shape (classifier.weight [100, 64], expected [10, 64])"), r.detail)
    }

    func testWeightFileCorruptions() throws {
        // Truncated: a storage runs past the end.
        let truncated = dir + "/t/000003-FULL.pth"
        try TestSupport.copy(fullFixture, to: truncated)
        try TestSupport.truncate(truncated, by: 100_000)
        let t = try one(truncated)
        XCTAssertEqual(t.outcome, .failed)
        XCTAssertTrue(t.detail.contains("truncated"), t.detail)

        // Renamed / swapped: the name's index is not the file's.
        let renamed = dir + "/000004-FULL.pth"
        try TestSupport.copy(fullFixture, to: renamed)
        let w = try one(renamed)
        XCTAssertEqual(w.outcome, .failed)
        XCTAssertTrue(w.detail.contains("named for index 4"), w.detail)

        // Garbage with a pickle's first byte, garbage without, and an index past the space.
        let fake = dir + "/000042-FULL.pth"
        try TestSupport.write([0x80, 0x02, 0x8a, 0x0a] + TestSupport.pseudoRandom(100, seed: 1), to: fake)
        XCTAssertEqual(try one(fake).outcome, .failed)
        let junk = dir + "/000043-FULL.pth"
        try TestSupport.write(TestSupport.pseudoRandom(100, seed: 2).map { $0 | 0x01 }, to: junk)
        XCTAssertTrue(try one(junk).detail.contains("not a torch checkpoint"))
        let outOfRange = dir + "/015625-FULL.pth"
        try TestSupport.write([0x50, 0x4B, 0x03, 0x04], to: outOfRange)
        let o = try one(outOfRange)
        XCTAssertEqual(o.outcome, .failed)
        XCTAssertTrue(o.detail.contains("outside the search space"), o.detail)
    }

    /// A small nb201-dataset file built by NASDatasets from the synthetic CIFAR fixture.
    private func buildDataset(_ out: String) throws {
        let cifar = TestSupport.repoRoot.appendingPathComponent("Tests/Fixtures/cifar").path
        _ = try CIFARBuilder.build(CIFARBuildOptions(cifar10: cifar + "/cifar-10-python.tar.gz",
                                                     splits: .directory(cifar + "/splits"), allowUnverified: true),
                                   output: out)
    }

    func testNasdataDatasetPassesSchemaAndRecordChecks() throws {
        let out = dir + "/cifar.h5"
        try buildDataset(out)
        let r = try one(out)
        XCTAssertEqual(r.kind, "nasdata HDF5 (nb201-dataset v1)")
        XCTAssertEqual(r.outcome, .ok, r.detail)
        XCTAssertTrue(r.detail.contains("every content digest recomputed"), r.detail)
    }

    func testFlippedImageByteInsideHDF5IsFound() throws {
        let out = dir + "/cifar.h5"
        try buildDataset(out)
        let f = try File.open(out, mode: .readWrite)
        let images = try f.openDataset("cifar10/train/images")
        var pixel: [UInt8] = try images.read(start: [3, 5, 7, 1], count: [1, 1, 1, 1])
        pixel[0] ^= 0x01
        try images.write(pixel, start: [3, 5, 7, 1], count: [1, 1, 1, 1])
        f.close()
        let r = try one(out)
        XCTAssertEqual(r.outcome, .failed)
        XCTAssertTrue(r.detail.contains("cifar10/train"), r.detail)
    }

    func testSchemaDeviationTruncationAndForeignHDF5() throws {
        // Claims nb201-dataset but has none of its layout.
        let fake = dir + "/out.h5"
        let f = try File.create(fake)
        try f.setAttribute("nasdata_schema", .string("nb201-dataset"))
        try f.setAttribute("nasdata_schema_version", .int(1))
        try f.createDataset("x", dtype: .float32, shape: [1000]).write([Float](repeating: 1.5, count: 1000))
        f.close()
        let r = try one(fake)
        XCTAssertEqual(r.kind, "nasdata HDF5 (nb201-dataset v1)")
        XCTAssertEqual(r.outcome, .failed)
        XCTAssertTrue(r.detail.contains("deviation"), r.detail)

        // Truncated HDF5 and random bytes named .h5 fail.
        let good = dir + "/cifar.h5"
        try buildDataset(good)
        let truncated = dir + "/truncated.h5"
        try TestSupport.copy(good, to: truncated)
        try TestSupport.truncate(truncated, by: try TestSupport.read(good).count / 2)
        XCTAssertEqual(try one(truncated).outcome, .failed)
        let junk = dir + "/junk.h5"
        try TestSupport.write(TestSupport.pseudoRandom(5000, seed: 3), to: junk)
        let j = try one(junk)
        XCTAssertEqual(j.outcome, .failed)
        XCTAssertTrue(j.detail.contains("does not open as HDF5"), j.detail)

        // Foreign HDF5 (no nasdata_schema): every dataset read (none here).
        let foreign = dir + "/foreign.h5"
        let g = try File.create(foreign)
        g.close()
        let fr = try one(foreign)
        XCTAssertEqual(fr.outcome, .ok)
        XCTAssertEqual(fr.rule, "content: HDF5, every dataset read through its filters")
        XCTAssertTrue(fr.detail.contains("0 dataset(s)"), fr.detail)
    }

    // MARK: bookkeeping

    func testMissingPathsUnknownFilesSummaryAndJSON() throws {
        let u = dir + "/notes.md"
        try TestSupport.write(Array("hello".utf8), to: u)
        let reports = verifier.verify(paths: [dir + "/nope", u])
        XCTAssertEqual(reports.map(\.outcome), [.failed, .unchecked])
        let summary = VerifySummary(reports)
        XCTAssertEqual(summary.failed, 1)
        XCTAssertEqual(summary.unchecked, 1)
        XCTAssertTrue(summary.line.contains("1 FAILED"))
        let json = ReportTable.json(reports)
        let obj = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let files = obj["files"] as! [[String: Any]]
        XCTAssertEqual(files.count, 2)
        XCTAssertEqual(files[0]["result"] as? String, "failed")
        XCTAssertEqual((obj["summary"] as! [String: Any])["failed"] as? Int, 1)
        let table = ReportTable.text(reports)
        XCTAssertTrue(table.hasPrefix("FILE"))
        XCTAssertTrue(table.contains("FAILED"))
    }

    func testParallelResultsKeepInputOrder() throws {
        var paths = [String]()
        for i in 0..<12 {
            let (p, _) = try makeSuffixFile(family: "NAS-Bench-201-v\(i)_0-SUFFIX.pth", digits: 6, seed: UInt64(100 + i))
            paths.append(p)
        }
        let reports = Verifier(jobs: 4, showProgress: false, hashOnly: true).verify(paths: paths)
        XCTAssertEqual(reports.map(\.path), paths)
        XCTAssertTrue(reports.allSatisfy { $0.outcome == .ok })
    }
}
