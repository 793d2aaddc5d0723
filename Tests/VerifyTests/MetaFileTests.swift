import XCTest
import Foundation
import Checksums
import NASBench
import Pickle
@testable import Verify
import NASCore

/// Benchmark meta files: a miniature `NAS-Bench-201-v1_0-XXXXXX.pth` made at test time
/// (legacy torch layout, all 15,625 architectures with minimal results, ~2 MB).
final class MetaFileTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws { dir = try TestSupport.makeTempDir("meta") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// Built once: the well-formed file is used by several tests.
    static let goodBytes: [UInt8] = try! metaFileBytes()

    /// Legacy torch file: magic, protocol 1001, sys_info, the object, an empty storage-key list.
    static func metaFileBytes(breakIndex: Int? = nil, dropLast: Bool = false) throws -> [UInt8] {
        let space = SearchSpace.canonical
        let count = dropLast ? SearchSpace.count - 1 : SearchSpace.count
        var archs = [PickleValue]()
        var infos = [(PickleValue, PickleValue)]()
        for i in 0..<SearchSpace.count {
            archs.append(.string(space.architecture(at: i)!.description))
        }
        for i in 0..<count {
            var s = space.architecture(at: i)!.description
            if i == breakIndex { s = space.architecture(at: i + 1)!.description }
            func ar(_ epochs: Int) -> PickleValue {
                .makeDict([(.string("arch_index"), .int(i)), (.string("arch_str"), .string(s)),
                           (.string("all_results"), .makeDict([])), (.string("clear_net_done"), .bool(true))])
            }
            infos.append((.int(i), .makeDict([(.string("full"), ar(200)), (.string("less"), ar(12))])))
        }
        let object = PickleValue.makeDict([
            (.string("meta_archs"), .makeList(archs)), (.string("total_archs"), .int(SearchSpace.count)),
            (.string("arch2infos"), .makeDict(infos)), (.string("evaluated_indexes"), .makeList((0..<count).map { .int($0) })),
        ])
        let magic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
        let sysInfo = PickleValue.makeDict([(.string("protocol_version"), .int(1001)), (.string("little_endian"), .bool(true))])
        var bytes = [UInt8]()
        for v in [PickleValue.bigInt(PickleBigInt(littleEndianBytes: magic)), .int(1001), sysInfo, object, .makeList([])] {
            var w = PickleWriter()
            try w.dump(v)
            bytes += w.bytes
        }
        return bytes
    }

    /// Writes `bytes` under the name its MD5 gives (`NAS-Bench-201-v1_0-<last 6>.pth`).
    private func writeNamed(_ bytes: [UInt8], sub: String) throws -> String {
        let path = dir + "/\(sub)/NAS-Bench-201-v1_0-\(MD5.hash(bytes).hex.suffix(6)).pth"
        try TestSupport.write(bytes, to: path)
        return path
    }

    func testWellFormedMetaFilePassesSuffixAndStructure() throws {
        let path = try writeNamed(Self.goodBytes, sub: "good")
        let r = try XCTUnwrap(Verifier(jobs: 1, showProgress: false).verify(paths: [path]).first)
        XCTAssertEqual(r.outcome, .ok, r.detail)
        XCTAssertTrue(r.rule.contains("+ structure"), r.rule)
        XCTAssertTrue(r.detail.contains("arch2infos: 15625 architectures"), r.detail)
        // --hash-only: suffix alone.
        let q = try XCTUnwrap(Verifier(jobs: 1, showProgress: false, hashOnly: true).verify(paths: [path]).first)
        XCTAssertEqual(q.outcome, .ok)
        XCTAssertFalse(q.rule.contains("structure"))
    }

    func testWrongArchStringAndMissingArchitectureAreFound() throws {
        // Named with the right suffix, so only the structure check can catch these.
        let wrong = try writeNamed(try Self.metaFileBytes(breakIndex: 1234), sub: "wrong")
        let r = try XCTUnwrap(Verifier(jobs: 1, showProgress: false).verify(paths: [wrong]).first)
        XCTAssertEqual(r.outcome, .failed)
        XCTAssertTrue(r.detail.contains("arch2infos[1234]['full']['arch_str']"), r.detail)
        XCTAssertTrue(r.detail.contains("ends with"), "suffix part still reported: \(r.detail)")

        let short = try writeNamed(try Self.metaFileBytes(dropLast: true), sub: "short")
        let s = try XCTUnwrap(Verifier(jobs: 1, showProgress: false).verify(paths: [short]).first)
        XCTAssertEqual(s.outcome, .failed)
        XCTAssertTrue(s.detail.contains("15624 architectures"), s.detail)
    }

    func testTruncatedMetaFileFailsBothWays() throws {
        let path = try writeNamed(Self.goodBytes, sub: "t")
        try TestSupport.truncate(path, by: 5000)
        let r = try XCTUnwrap(Verifier(jobs: 1, showProgress: false).verify(paths: [path]).first)
        XCTAssertEqual(r.outcome, .failed)
        XCTAssertTrue(r.detail.contains("does not end with"), r.detail)
        XCTAssertTrue(r.detail.contains("structure:"), r.detail)
    }
}
