import XCTest
import Foundation
import Checksums
@testable import Verify

final class ManifestTests: XCTestCase {
    var dir: String!
    let verifier = Verifier(jobs: 2, showProgress: false)

    override func setUpWithError() throws { dir = try TestSupport.makeTempDir("manifest") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    private func makeTree() throws -> String {
        let root = dir + "/data"
        try TestSupport.write(TestSupport.pseudoRandom(10_000, seed: 1), to: root + "/a.bin")
        try TestSupport.write(TestSupport.pseudoRandom(10_000, seed: 2), to: root + "/b.bin")
        try TestSupport.write(TestSupport.pseudoRandom(123, seed: 3), to: root + "/sub/c.txt")
        return root
    }

    func testRoundTripAndSizes() throws {
        let root = try makeTree()
        let m = try ManifestBuilder.build(root: root, jobs: 2, showProgress: false)
        XCTAssertEqual(m.entries.map(\.path), ["a.bin", "b.bin", "sub/c.txt"])
        XCTAssertEqual(m.entries.map(\.size), [10_000, 10_000, 123])
        let parsed = try Manifest.parse(m.render())
        XCTAssertEqual(parsed.entries.map(\.path), m.entries.map(\.path))
        XCTAssertEqual(parsed.entries.map(\.digest), m.entries.map(\.digest))
        XCTAssertEqual(parsed.entries.map(\.size), m.entries.map(\.size))
        let reports = verifier.verify(manifest: parsed, root: root)
        XCTAssertEqual(reports.map(\.outcome), [.ok, .ok, .ok])
        XCTAssertEqual(reports[0].sha256, SHA256.hash(TestSupport.pseudoRandom(10_000, seed: 1)).hex)
    }

    func testManifestCommandAndVerifyRunFromTheManifestFile() throws {
        let root = try makeTree()
        let output = dir + "/sums.sha256"
        let (written, bytes) = try ManifestBuilder.write(root: root, to: output, jobs: 2)
        XCTAssertEqual(bytes, 20_123)
        XCTAssertEqual(try String(contentsOfFile: output, encoding: .utf8), written.render())
        // Entry paths are relative to the manifest's folder unless a root is given.
        try FileManager.default.moveItem(atPath: output, toPath: root + "/sums.sha256")
        let reports = try verifier.verify(manifestFile: root + "/sums.sha256", paths: [])
        XCTAssertEqual(reports.map(\.outcome), [.ok, .ok, .ok])
        XCTAssertEqual(try verifier.verify(manifestFile: root + "/sums.sha256", root: root, paths: [root + "/a.bin"]).count, 4)
        XCTAssertThrowsError(try verifier.verify(manifestFile: nil, paths: [dir + "/missing"])) {
            XCTAssertTrue("\($0)".contains("missing: no such file or directory"), "\($0)")
        }
        try TestSupport.write(Array("# nothing\n".utf8), to: dir + "/empty.sha256")
        XCTAssertThrowsError(try verifier.verify(manifestFile: dir + "/empty.sha256", paths: [])) {
            XCTAssertEqual($0 as? ManifestError, .empty(file: self.dir + "/empty.sha256"))
        }
    }

    func testSymlinkedDirectoriesAreNotFollowed() throws {
        let root = try makeTree()
        try FileManager.default.createSymbolicLink(atPath: root + "/sub/loop", withDestinationPath: root)
        try FileManager.default.createSymbolicLink(atPath: root + "/link.bin", withDestinationPath: root + "/a.bin")
        let m = try ManifestBuilder.build(root: root, jobs: 2, showProgress: false)
        XCTAssertEqual(m.entries.map(\.path), ["a.bin", "b.bin", "link.bin", "sub/c.txt"])
        XCTAssertEqual(m.entries[2].digest, m.entries[0].digest)
    }

    func testCorruptionsAgainstManifest() throws {
        let root = try makeTree()
        let m = try Manifest.parse(try ManifestBuilder.build(root: root, jobs: 1, showProgress: false).render())
        try TestSupport.truncate(root + "/sub/c.txt", by: 23)
        try TestSupport.flipByte(root + "/a.bin", at: 0)
        var reports = verifier.verify(manifest: m, root: root)
        XCTAssertEqual(reports.map(\.outcome), [.failed, .ok, .failed])
        XCTAssertTrue(reports[2].detail.contains("size 100 bytes"), reports[2].detail)
        XCTAssertNil(reports[2].sha256, "truncation found before hashing")
        XCTAssertTrue(reports[0].detail.contains("!= manifest"), reports[0].detail)

        // Swapped files of equal size: each is named as the other's content.
        let fresh = try makeTree()
        try TestSupport.swap(fresh + "/a.bin", fresh + "/b.bin")
        reports = verifier.verify(manifest: m, root: fresh)
        XCTAssertEqual(reports[0].outcome, .failed)
        XCTAssertTrue(reports[0].detail.contains("expects for b.bin"), reports[0].detail)
        XCTAssertTrue(reports[1].detail.contains("expects for a.bin"), reports[1].detail)

        // Missing file and an HTML page in place of data.
        try FileManager.default.removeItem(atPath: fresh + "/sub/c.txt")
        try TestSupport.copy(TestSupport.fixtures + "/gdrive-quota.html", to: fresh + "/a.bin")
        let fixed = Manifest(entries: m.entries.map { var e = $0; e.size = nil; return e })
        reports = verifier.verify(manifest: fixed, root: fresh)
        XCTAssertTrue(reports[2].detail.contains("missing"), reports[2].detail)
        XCTAssertTrue(reports[0].detail.contains("HTML page"), reports[0].detail)
    }

    func testMD5SumFormatsAndBSDTags() throws {
        let root = try makeTree()
        let a = MD5.hash(TestSupport.pseudoRandom(10_000, seed: 1)).hex
        let b = SHA256.hash(TestSupport.pseudoRandom(10_000, seed: 2)).hex
        let c = MD5.hash(TestSupport.pseudoRandom(123, seed: 3)).hex
        let text = "\(a)  a.bin\r\nSHA256 (b.bin) = \(b)\n\n\(c.uppercased()) *sub/c.txt\n"
        let m = try Manifest.parse(text)
        XCTAssertEqual(m.entries.map(\.algorithm), [.md5, .sha256, .md5])
        XCTAssertEqual(m.entries[2].digest, c)
        XCTAssertEqual(verifier.verify(manifest: m, root: root).map(\.outcome), [.ok, .ok, .ok])
    }

    func testEscapedNamesAndMalformedLines() throws {
        let e = Manifest.Entry(path: "odd\\name\nx", algorithm: .sha256, digest: String(repeating: "ab", count: 32), size: 7)
        let text = Manifest(entries: [e]).render()
        XCTAssertTrue(text.contains("\\" + String(repeating: "ab", count: 32) + "  odd\\\\name\\nx"), text)
        let back = try Manifest.parse(text)
        XCTAssertEqual(back.entries, [Manifest.Entry(path: "odd\\name\nx", algorithm: .sha256,
                                                     digest: String(repeating: "ab", count: 32), size: 7, line: 3)])
        XCTAssertThrowsError(try Manifest.parse("# c\nnot a checksum line\n", file: "m.txt")) { error in
            XCTAssertEqual("\(error)".prefix(7), "m.txt:2")
        }
        XCTAssertThrowsError(try Manifest.parse("abcd  x\n"))   // hex of no known length
    }

    /// What `nasdata manifest` writes is accepted by GNU sha256sum -c (comments skipped).
    func testGNUSha256sumAcceptsTheManifest() throws {
        let tool = ["/usr/bin/sha256sum", "/bin/sha256sum"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let tool else { throw XCTSkip("sha256sum not installed") }
        let root = try makeTree()
        let manifestPath = dir + "/m.sha256"
        try ManifestBuilder.build(root: root, jobs: 2, showProgress: false).render()
            .write(toFile: manifestPath, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["--check", "--strict", manifestPath]
        p.currentDirectoryURL = URL(fileURLWithPath: root)
        p.standardOutput = FileHandle.nullDevice
        try p.run(); p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
    }
}
