import XCTest
import Foundation
import HDF5
import WeightArchive
@testable import Verify

/// Weight archives (nb201-archive) packed from the archive fixtures: schema check and
/// every run's SHA-256 recomputed by WeightArchive's ArchiveIntegrity.
final class ArchiveVerifyTests: XCTestCase {
    var dir: String!
    let verifier = Verifier(jobs: 2, showProgress: false)

    override func setUpWithError() throws { dir = try TestSupport.makeTempDir("archive") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    private func packFixtures() throws -> String {
        let fixtures = TestSupport.repoRoot.appendingPathComponent("Tests/Fixtures/archive").path
        let out = dir + "/archive.h5"
        var options = PackOptions(inputs: .directory(fixtures), output: out)
        options.settings.workers = 2
        _ = try Packer.pack(options)
        return out
    }

    func testPackedArchivePasses() throws {
        let r = try XCTUnwrap(verifier.verify(paths: [try packFixtures()]).first)
        XCTAssertEqual(r.kind, "nasdata HDF5 (nb201-archive v2)")
        XCTAssertEqual(r.outcome, .ok, r.detail)
        XCTAssertTrue(r.detail.contains(" runs: SHA-256 of every run"), r.detail)
    }

    func testFlippedWeightByteInsideTheArchiveIsFound() throws {
        let out = try packFixtures()
        let f = try File.open(out, mode: .readWrite)
        let blob = try f.openDataset(ArchiveLayout.blob)
        var word: [Int32] = try blob.read(start: [1000], count: [1])
        word[0] ^= 1 << 7
        try blob.write(word, start: [1000], count: [1])
        f.close()
        let r = try XCTUnwrap(verifier.verify(paths: [out]).first)
        XCTAssertEqual(r.outcome, .failed)
        XCTAssertTrue(r.detail.contains("SHA-256"), r.detail)
    }
}
