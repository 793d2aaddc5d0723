import XCTest
import FixtureSupport
import Foundation
import HDF5
import Tensors
@testable import Verify

/// Issue 17: every file gets a verdict. Files no name rule claims are recognised by
/// content and read completely; damaged copies of the fixtures (truncated, one byte
/// flipped, magic inverted, an HTML page under a data name) each FAIL.
final class ContentRulesTests: XCTestCase {
    let verifier = Verifier(jobs: 1, showProgress: false)

    func fixture(_ area: String, _ name: String) -> String {
        Repository.fixtures(area).appendingPathComponent(name).path
    }

    func verify(_ path: String) throws -> FileReport {
        try XCTUnwrap(verifier.verify(paths: [path]).first)
    }

    /// Copies a fixture under `name` into a fresh folder, applies `damage`, verifies it.
    func damaged(_ area: String, _ source: String, as name: String,
                 _ damage: (String) throws -> Void = { _ in }) throws -> FileReport {
        let dir = try TestSupport.makeTempDir("content")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/" + name
        try TestSupport.copy(fixture(area, source), to: path)
        try damage(path)
        return try verify(path)
    }

    func assertFailed(_ r: FileReport, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.outcome, .failed, "\(r.path): \(r.rule): \(r.detail)", file: file, line: line)
        XCTAssertTrue(r.detail.contains(fragment), "'\(r.detail)' lacks '\(fragment)'", file: file, line: line)
    }

    // MARK: intact files: ok, with the check named

    func testIntactFilesPassByContent() throws {
        let cases: [(String, String, String, String)] = [
            ("pickle", "state_dict_zip.pth", "mine.pth", "content: torch zip checkpoint, all tensors read"),
            ("pickle", "state_dict_legacy.pth", "mine-legacy.pth", "content: torch legacy checkpoint, all tensors read"),
            ("pickle", "tricky_legacy.pth", "tricky.pth", "content: torch legacy checkpoint, all tensors read"),
            ("pickle", "plain_p2.pkl", "x.pkl", "content: pickle parsed to STOP, nothing executed"),
            ("pickle", "plain_p0.pkl", "x0.pkl", "content: pickle parsed to STOP, nothing executed"),
            ("pickle", "cifar_like_py3.pkl", "batch", "content: pickle parsed to STOP, nothing executed"),
            ("network", "full-file.logits.npy", "logits.npy", "content: .npy header and size"),
            ("network", "allops-c8-cifar10.safetensors", "w.safetensors", "content: safetensors header, offsets, sizes"),
            ("hdf5", "h5py_default.h5", "foreign.h5", "content: HDF5, every dataset read through its filters"),
            ("verify/content", "gzip-chunks.h5", "no-extension", "content: HDF5, every dataset read through its filters"),
            ("cifar/streams", "ustar.tar", "a.tar", "content: tar header checksums, member sizes, end blocks"),
            ("cifar", "cifar-10-python.tar.gz", "mine.tar.gz", "content: tar.gz, gzip CRC-32s + tar headers, sizes, end blocks"),
            ("verify/content", "plain.gz", "p.gz", "content: gzip CRC-32 and length of every member"),
            ("verify/content", "plain.bz2", "p.bz2", "content: bzip2 block and stream CRCs"),
            ("imagenet16/downsampled-npz", "train_data_batch_1.npz", "b.npz", "content: zip, every entry's CRC-32 and size"),
            ("verify/content", "image.JPEG", "n01443537_1.JPEG", "content: JPEG full decode"),
            ("verify/content", "image.png", "i.png", "content: PNG full decode"),
        ]
        for (area, source, name, rule) in cases {
            let r = try damaged(area, source, as: name)
            XCTAssertEqual(r.outcome, .ok, "\(source) as \(name): \(r.rule): \(r.detail)")
            XCTAssertEqual(r.rule, rule, source)
        }
    }

    // MARK: the cases

    func testDamagedCheckpointsUnderUsersNamesFail() throws {
        let truncated = try damaged("pickle", "state_dict_zip.pth", as: "truncated-zip.pth") { try TestSupport.truncate($0, by: 2000) }
        assertFailed(truncated, "central directory")
        XCTAssertEqual(truncated.rule, "content: torch zip checkpoint, all tensors read")
        assertFailed(try damaged("pickle", "state_dict_zip.pth", as: "bitflip-zip.pth") { try TestSupport.flipByte($0) },
                     "CRC-32 mismatch")
        let size = try TestSupport.read(fixture("network", "allops-c8-cifar10.legacy.pth")).count
        assertFailed(try damaged("network", "allops-c8-cifar10.legacy.pth", as: "cut-in-pickle.pth") {
            try TestSupport.truncate($0, by: size - 300)
        }, "truncated")
        assertFailed(try damaged("network", "allops-c8-cifar10.legacy.pth", as: "cut-in-storage.pth") {
            try TestSupport.truncate($0, by: 1000)
        }, "truncated")
        // Bytes after the legacy layout's last storage record.
        assertFailed(try damaged("pickle", "state_dict_legacy.pth", as: "appended.pth") { p in
            try TestSupport.write(try TestSupport.read(p) + [1, 2, 3], to: p)
        }, "3 byte(s) after the last storage record")
    }

    func testInvertedMagicByteIsReportedAsDamagedMagic() throws {
        let r = try damaged("network", "allops-c8-cifar10.legacy.pth", as: "badmagic.pth") { p in
            var b = try TestSupport.read(p)
            b[8] ^= 0xFF
            try TestSupport.write(b, to: p)
        }
        assertFailed(r, "damaged magic number")
        XCTAssertTrue(r.detail.contains("(byte 8)"), r.detail)
        XCTAssertTrue(r.detail.contains("badmagic.pth"), r.detail)
    }

    func testPickleWithTrailingBytesFails() throws {
        let r = try damaged("pickle", "plain_p2.pkl", as: "x.pkl") { p in
            try TestSupport.write(try TestSupport.read(p) + Array("junk".utf8), to: p)
        }
        assertFailed(r, "4 byte(s) after the pickle's STOP")
        assertFailed(try damaged("pickle", "plain_p2.pkl", as: "cut.pkl") { try TestSupport.truncate($0, by: 5) }, "truncated")
    }

    func testDamagedSimpleFormatsFail() throws {
        assertFailed(try damaged("network", "full-file.logits.npy", as: "a.npy") { try TestSupport.truncate($0, by: 4) }, "needs 240 data bytes")
        assertFailed(try damaged("network", "full-file.logits.npy", as: "b.npy") { p in
            try TestSupport.write(try TestSupport.read(p) + [0], to: p)
        }, "1 byte(s) after the array data")
        assertFailed(try damaged("network", "allops-c8-cifar10.safetensors", as: "w.safetensors") { try TestSupport.truncate($0, by: 8) },
                     "data_offsets")
        assertFailed(try damaged("network", "allops-c8-cifar10.safetensors", as: "x.safetensors") { p in
            try TestSupport.write(try TestSupport.read(p) + [0, 0], to: p)
        }, "2 byte(s) after the last tensor's data")
        assertFailed(try damaged("cifar/streams", "ustar.tar", as: "a.tar") { try TestSupport.flipByte($0, at: 100) }, "checksum")
        assertFailed(try damaged("cifar/streams", "ustar.tar", as: "b.tar") { p in
            let b = try TestSupport.read(p)
            try TestSupport.write(Array(b.prefix(b.count / 2)), to: p)
        }, "cut short")
        assertFailed(try damaged("cifar", "cifar-10-python.tar.gz", as: "c.tar.gz") { try TestSupport.flipByte($0, at: 50_000) }, "gzip")
        assertFailed(try damaged("verify/content", "plain.gz", as: "p.gz") { try TestSupport.truncate($0, by: 3) }, "gzip")
        assertFailed(try damaged("verify/content", "plain.gz", as: "q.gz") { try TestSupport.flipByte($0, at: 44) }, "corrupt gzip data")
        assertFailed(try damaged("verify/content", "plain.bz2", as: "q.bz2") { try TestSupport.flipByte($0, at: 30) }, "CRC does not match")
        assertFailed(try damaged("verify/content", "plain.bz2", as: "r.bz2") { try TestSupport.truncate($0, by: 4) }, "cut short")
        assertFailed(try damaged("imagenet16/downsampled-npz", "train_data_batch_1.npz", as: "b.npz") {
            try TestSupport.flipByte($0, at: 3000)
        }, "CRC-32 mismatch")
        assertFailed(try damaged("verify/content", "image.JPEG", as: "i.JPEG") { try TestSupport.truncate($0, by: 300) }, "corrupt image")
        assertFailed(try damaged("verify/content", "image.png", as: "i.png") { try TestSupport.flipByte($0, at: 60) }, "corrupt image")
    }

    func testFlippedByteInACompressedHDF5ChunkFails() throws {
        // h5py wrote /weights as 4 gzip chunks; the first chunk's data lies after the
        // metadata. Flip a byte in each candidate position until the read breaks, to be
        // independent of the exact layout: every flip inside chunk data must be found.
        let r = try damaged("verify/content", "gzip-chunks.h5", as: "flip.h5") { p in
            var b = try TestSupport.read(p)
            // The deflate streams start with 0x78 (zlib header); flip a byte inside the first one.
            let start = try XCTUnwrap((2048..<b.count).first { b[$0] == 0x78 && (b[$0 + 1] == 0x01 || b[$0 + 1] == 0x5E || b[$0 + 1] == 0x9C) })
            b[start + 40] ^= 0x10
            try TestSupport.write(b, to: p)
        }
        assertFailed(r, "/weights")
    }

    func testMissingFilterIsUncheckedNamingIt() throws {
        let r = try damaged("verify/content", "lzf.h5", as: "lzf.h5")
        XCTAssertEqual(r.outcome, .unchecked, r.detail)
        XCTAssertTrue(r.detail.contains("lzf (32000)"), r.detail)
    }

    func testHugeUnwrittenHDF5DatasetIsNotReadAsFillValues() throws {
        let dir = try TestSupport.makeTempDir("sparse")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/sparse.h5"
        let f = try File.create(path)
        try f.createDataset("huge", dtype: .float32, shape: [1 << 20, 1 << 12], chunks: [1024, 1024])
        try f.createDataset("small", tensor: Tensor(dtype: .float32, shape: [4], bytes: [UInt8](repeating: 0, count: 16)))
        f.close()
        let r = try verify(path)
        XCTAssertEqual(r.outcome, .unchecked, r.detail)
        XCTAssertTrue(r.detail.contains("/huge"), r.detail)
        XCTAssertTrue(r.detail.contains("1 other dataset(s) read ok"), r.detail)
    }

    func testHTMLUnderEveryKnownNameFailsWithItsTitle() throws {
        let page = fixture("verify", "gdrive-quota.html")
        let dir = try TestSupport.makeTempDir("html")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var names = KnownFiles.table.map(\.name)
        names += ["000000.pth", "x.pkl", "y.pickle", "z.pickle.pbz2", "a.npy", "b.npz", "w.safetensors", "f.h5",
                  "g.hdf5", "t.tar", "t.tar.gz", "c.bz2", "d.zip", "n01443537_1.JPEG", "p.png"]
        for name in names {
            // Outside any known folder, so the name alone claims data.
            let path = dir + "/elsewhere/" + name
            try TestSupport.copy(page, to: path)
            let r = try verify(path)
            assertFailed(r, "title \"Google Drive - Quota exceeded\"")
        }
        // A real .html stays a page, not a failure.
        let html = dir + "/page.html"
        try TestSupport.copy(page, to: html)
        XCTAssertNotEqual(try verify(html).outcome, .failed)
    }

    func testUnrecognisedContentStaysUnchecked() throws {
        let dir = try TestSupport.makeTempDir("unknown")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/notes.md"
        try TestSupport.write(Array("(a list of things)\nline\n".utf8), to: path)
        let r = try verify(path)
        XCTAssertEqual(r.outcome, .unchecked, r.detail)
    }
}

/// HDF5 files are read in a child process when `isolation` is set: a crash there is one
/// FAILED line, and a verdict printed by the child is taken whole.
final class IsolatedCheckTests: XCTestCase {
    func testCrashingChildIsAFailedLine() throws {
        let path = Repository.fixtures("verify/content").appendingPathComponent("gzip-chunks.h5").path
        var v = Verifier(jobs: 1, showProgress: false)
        v.isolation = ["/bin/sh", "-c", "kill -SEGV $$", "sh"]
        let r = try XCTUnwrap(v.verify(paths: [path]).first)
        XCTAssertEqual(r.outcome, .failed)
        XCTAssertTrue(r.detail.contains("crashed"), r.detail)
        XCTAssertTrue(r.detail.contains("signal 11"), r.detail)
    }

    func testChildVerdictIsTaken() throws {
        let path = Repository.fixtures("verify/content").appendingPathComponent("lzf.h5").path
        let inProcess = try XCTUnwrap(Verifier(jobs: 1, showProgress: false).verify(paths: [path]).first)
        let json = ReportTable.json([inProcess])
        var v = Verifier(jobs: 1, showProgress: false)
        v.isolation = ["/bin/sh", "-c", "cat <<'JSON'\n\(json)JSON", "sh"]
        let r = try XCTUnwrap(v.verify(paths: [path]).first)
        XCTAssertEqual(r, inProcess)
    }
}

/// Crashes found by fuzzing (Tools/fuzz.sh) stay found.
final class FuzzRegressionTests: XCTestCase {
    /// The `nasdata` built beside this test bundle (same build directory).
    func nasdataBinary() throws -> String {
        let me = try XCTUnwrap(Bundle.main.executablePath)
        let path = (me as NSString).deletingLastPathComponent + "/nasdata"
        guard FileManager.default.isExecutableFile(atPath: path) else { throw XCTSkip("no nasdata binary beside \(me)") }
        return path
    }

    /// libhdf5 1.10.8 frees a bad pointer listing this file's root group (sometimes a crash,
    /// sometimes an error, depending on the heap): checked in the isolated child, it is
    /// one FAILED line either way, and the test process survives.
    func testHDF5FileThatCrashesLibhdf5IsAFailedLine() throws {
        let path = Repository.fixtures("verify/content").appendingPathComponent("fuzz-hdf5-crash-1.h5").path
        var v = Verifier(jobs: 1, showProgress: false)
        v.isolation = [try nasdataBinary(), "verify", "--json", "--threads", "1", "--in-process", "--"]
        let r = try XCTUnwrap(v.verify(paths: [path]).first)
        XCTAssertEqual(r.outcome, .failed, r.detail)
        XCTAssertTrue(r.detail.contains("cannot list the members") || r.detail.contains("crashed"), r.detail)
    }
}
