import XCTest
import FixtureSupport
import Foundation
import NASDataIO
@testable import Checksums

final class FileHasherTests: XCTestCase {
    static var repoRoot: URL { Repository.root }

    /// The official split files, kept in the repository.
    static var splitsDir: String { Repository.officialSplits.path }

    var tmp: String!

    override func setUpWithError() throws {
        tmp = NSTemporaryDirectory() + "checksums-tests-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: tmp)
    }

    /// The official split files' digests as published in the splits README.
    func testSplitFilesMatchPublishedDigests() throws {
        let expected: [(String, Int64, String, String)] = [
            ("cifar-split.txt", 438970, "2da7627956f17981dc0b841ab8385f37",
             "986da6174822048d4c5a25ee8ebdb7e754cd5372b51c633ffd4898ace8db9e32"),
            ("imagenet-16-120-test-split.txt", 46970, "670c7749b090d2e937e20d10e811be22",
             "c0edac1d3676a9f21acea8feeb31336202d75b1a73df62aec31c6b45bb289a18"),
        ]
        for (name, size, md5, sha) in expected {
            let path = Self.splitsDir + "/" + name
            try XCTSkipUnless(FileManager.default.fileExists(atPath: path), "splits not present at \(path)")
            let d = try FileHasher.hash(path: path, algorithms: [.md5, .sha256])
            XCTAssertEqual(d.size, size)
            XCTAssertEqual(d.md5?.hex, md5)
            XCTAssertEqual(d.sha256?.hex, sha)
        }
    }

    func testSmallBufferSpanningManyReadsAndProgress() throws {
        let data = (0..<300_001).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ ($0 >> 9)) }
        let path = tmp + "/blob"
        try Data(data).write(to: URL(fileURLWithPath: path))
        var seen: Int64 = 0
        let d = try FileHasher(bufferSize: 4096).hash(path: path, algorithms: [.md5]) { seen += $0 }
        XCTAssertEqual(seen, 300_001)
        XCTAssertEqual(d.size, 300_001)
        XCTAssertEqual(d.md5, MD5.hash(data))
        XCTAssertNil(d.sha256)   // only what was asked for
    }

    func testMissingFileAndDirectoryThrowNamingThePath() {
        XCTAssertThrowsError(try FileHasher.hash(path: tmp + "/nope")) { error in
            XCTAssertTrue("\(error)".contains("/nope"), "\(error)")
        }
        XCTAssertThrowsError(try FileHasher.hash(path: tmp)) { error in
            XCTAssertTrue("\(error)".contains(tmp), "\(error)")
        }
    }

    func testParallelHashingKeepsOrderAndReportsFailuresPerFile() throws {
        var paths = [String]()
        var expected = [Digest]()
        for i in 0..<9 {
            let bytes = (0..<(i * 10_000 + 3)).map { UInt8(truncatingIfNeeded: $0 ^ i) }
            let p = tmp + "/f\(i)"
            try Data(bytes).write(to: URL(fileURLWithPath: p))
            paths.append(p); expected.append(SHA256.hash(bytes))
        }
        paths.insert(tmp + "/missing", at: 4)
        let counter = ByteCounter()
        let results = ParallelHasher.hash(paths: paths, algorithms: [.sha256], jobs: 3) { counter.add($0) }
        XCTAssertEqual(results.count, 10)
        var j = 0
        for (i, r) in results.enumerated() {
            if i == 4 {
                XCTAssertThrowsError(try r.get())
                continue
            }
            XCTAssertEqual(try r.get().sha256, expected[j]); j += 1
        }
        XCTAssertEqual(counter.total, Int64((0..<9).reduce(0) { $0 + $1 * 10_000 + 3 }))
    }
}

final class ByteCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64 = 0
    func add(_ n: Int64) { lock.lock(); value += n; lock.unlock() }
    var total: Int64 { lock.lock(); defer { lock.unlock() }; return value }
}
