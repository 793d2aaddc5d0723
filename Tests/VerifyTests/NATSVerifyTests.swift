import XCTest
import Foundation
import FixtureSupport
import NASCore
import Pickle
import NASDataIO
@testable import Verify

/// NATS-Bench folders and files in `verify` (issue #14 item 5): the authors' sample folders,
/// copies with one file renamed, cut, corrupted or followed by a second bz2 stream.
final class NATSVerifyTests: XCTestCase {
    var dir: String!
    let verifier = Verifier(jobs: 2, showProgress: false)
    static let tss = "NATS-tss-v1_0-3ffb9-simple"
    static let sss = "NATS-sss-v1_0-50262-simple"

    override func setUpWithError() throws { dir = try TestSupport.makeTempDir("nats") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    private func sample(_ folder: String) -> String { Repository.fixtures("nats").appendingPathComponent(folder).path }

    private func copySample(_ folder: String) throws -> String {
        let to = dir + "/" + folder
        for name in ["meta.pickle.pbz2", "000000.pickle.pbz2", "000011.pickle.pbz2", "000284.pickle.pbz2"] {
            try TestSupport.copy(sample(folder) + "/" + name, to: to + "/" + name)
        }
        return to
    }

    private func byName(_ reports: [FileReport]) -> [String: FileReport] {
        Dictionary(uniqueKeysWithValues: reports.map { (FileRules.lastComponent($0.path), $0) })
    }

    /// Verifies `folder` and asserts that its file `name` FAILED with each of `reasons` in the detail.
    private func assertFails(_ folder: String, _ name: String, saying reasons: String..., line: UInt = #line) throws {
        let r = try XCTUnwrap(byName(verifier.verify(paths: [folder]))[name], line: line)
        XCTAssertEqual(r.outcome, .failed, r.detail, line: line)
        for reason in reasons { XCTAssertTrue(r.detail.contains(reason), r.detail, line: line) }
    }

    func testFolderNames() {
        XCTAssertEqual(NATSFolder.parse("NATS-tss-v1_0-3ffb9-simple"), NATSFolder(space: .topology, full: false))
        XCTAssertEqual(NATSFolder.parse("NATS-sss-v1_0-50262-full"), NATSFolder(space: .size, full: true))
        XCTAssertNil(NATSFolder.parse("NATS-tss-v1_0-3ffb9"))
        XCTAssertNil(NATSFolder.parse("NATS-xss-v1_0-3ffb9-simple"))
        XCTAssertNil(NATSFolder.parse("NATS-tss-v1_0-3ffbz-simple"))
        XCTAssertNil(NATSFolder.parse("my-simple"))
    }

    func testSampleFoldersReportThreeFilesAndTheFolderIncomplete() throws {
        for (folder, count) in [(Self.tss, 15_625), (Self.sss, 32_768)] {
            let reports = verifier.verify(paths: [sample(folder)])
            let files = byName(reports)
            for name in ["000000.pickle.pbz2", "000011.pickle.pbz2", "000284.pickle.pbz2", "meta.pickle.pbz2"] {
                XCTAssertEqual(files[name]?.outcome, .ok, "\(folder)/\(name): \(files[name]?.detail ?? "absent")")
            }
            let line = try XCTUnwrap(files[folder])
            XCTAssertEqual(line.outcome, .failed)
            XCTAssertTrue(line.detail.contains("\(count - 3) of \(count) files missing"), line.detail)
            XCTAssertEqual(VerifySummary(reports).failed, 1)
        }
    }

    func testRenamedFileNamesBothIndexes() throws {
        let folder = try copySample(Self.tss)
        try FileManager.default.moveItem(atPath: folder + "/000284.pickle.pbz2", toPath: folder + "/000285.pickle.pbz2")
        try assertFails(folder, "000285.pickle.pbz2", saying: "['arch_index'] is 284, but the file is for index 285")
    }

    func testMissingMetaIsItsOwnLine() throws {
        let folder = try copySample(Self.sss)
        try FileManager.default.removeItem(atPath: folder + "/meta.pickle.pbz2")
        try assertFails(folder, "meta.pickle.pbz2", saying: "should hold meta.pickle.pbz2")
    }

    func testDamagedFilesFailWithReason() throws {
        let folder = try copySample(Self.tss)
        let file = folder + "/000011.pickle.pbz2"
        let good = try TestSupport.read(file)
        try TestSupport.truncate(file, by: good.count / 2)
        try assertFails(folder, "000011.pickle.pbz2", saying: "bz2 stream ends before its end marker")
        try TestSupport.write(good, to: file)
        try TestSupport.flipByte(file)
        try assertFails(folder, "000011.pickle.pbz2", saying: "corrupt bz2 data")
    }

    /// A second bz2 stream after the file's own (a second pickle): refused at the STOP's end.
    func testSecondStreamIsRefusedWithItsOffset() throws {
        let folder = try copySample(Self.sss)
        let file = folder + "/000011.pickle.pbz2"
        let good = try TestSupport.read(file)
        let second = try TestSupport.read(Repository.fixtures("nats").appendingPathComponent("generated/hostile/multistream.pbz2").path)
        try TestSupport.write(good + second, to: file)
        let stop = try Bzip2Reader(path: sample(Self.sss) + "/000011.pickle.pbz2").readAll().count
        try assertFails(folder, "000011.pickle.pbz2", saying: "at byte \(stop): ", "after the pickle's STOP")

        // The unpickler itself, over the decompressing stream.
        let bz = try Bzip2Reader(path: file)
        let u = Unpickler(reader: ByteReader(stream: bz, limit: bz.maxBytes + 1))
        _ = try u.load()
        XCTAssertThrowsError(try u.expectEnd()) { error in
            guard let e = error as? PickleError, case .trailingBytes(let n) = e.reason else { return XCTFail("\(error)") }
            XCTAssertEqual(e.offset, Int64(stop))
            XCTAssertGreaterThan(n, 0)
        }
    }
}

private extension Bzip2Reader {
    func readAll() throws -> [UInt8] {
        var out = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try read(into: $0) }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }
}
