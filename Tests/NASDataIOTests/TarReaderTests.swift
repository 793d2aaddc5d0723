import Foundation
import FixtureSupport
import XCTest
@testable import NASDataIO

/// Tar/gzip/split-part fixtures written by Tools/fixtures/make_cifar_fixtures.py with
/// Python's tarfile in each header dialect; streams.json lists what each holds.
final class TarReaderTests: XCTestCase {
    struct Expected: Decodable, Equatable {
        var name: String
        var size: Int64?
        var fnv1a64: String?
        var symlink: String?
    }

    static let streamsDir = Repository.fixtures("cifar/streams").path

    func expected(_ name: String) throws -> [Expected] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.streamsDir + "/streams.json"))
        return try XCTUnwrap(JSONDecoder().decode([String: [Expected]].self, from: data)[name])
    }

    /// Lists every member, reading files through `contents` in odd-sized pieces.
    func list(_ tar: TarReader) throws -> [Expected] {
        var result: [Expected] = []
        while let entry = try tar.next() {
            switch entry.kind {
            case .file:
                let stream = tar.contents
                var hash = FNV()
                var buffer = [UInt8](repeating: 0, count: 777)
                while true {
                    let n = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
                    if n == 0 { break }
                    hash.add(buffer[0..<n])
                }
                result.append(Expected(name: entry.name, size: entry.size, fnv1a64: hash.hex))
            case .symbolicLink(let target):
                result.append(Expected(name: entry.name, symlink: target))
            default:
                XCTFail("unexpected member \(entry)")
            }
        }
        return result
    }

    func testUstarWithPrefix() throws {
        XCTAssertEqual(try list(TarReader(path: Self.streamsDir + "/ustar.tar")), try expected("ustar.tar"))
    }

    func testPaxRecordShorterThanItsLengthFieldIsAnErrorNotATrap() throws {
        // Found by the fuzz smoke run: a record length that ends before its own length field.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.streamsDir + "/pax.tar")))
        // The data block after the first pax header (typeflag 'x' or 'g').
        let header = stride(from: 0, to: bytes.count, by: 512).first {
            [0x78, 0x67].contains(bytes[$0 + 156]) && Array(bytes[($0 + 257)..<($0 + 262)]) == Array("ustar".utf8)
        }!
        let start = header + 512
        let record = bytes[start...].firstIndex(of: UInt8(ascii: " "))!
        for i in start..<record { bytes[i] = UInt8(ascii: "0") }
        bytes[record - 1] = UInt8(ascii: "1")
        let path = NSTemporaryDirectory() + "/nasdata-pax-\(getpid()).tar"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try list(TarReader(path: path))) { XCTAssertTrue("\($0)".contains("malformed pax record"), "\($0)") }
    }

    func testGNULongNamesAndLinks() throws {
        XCTAssertEqual(try list(TarReader(path: Self.streamsDir + "/gnu.tar")), try expected("gnu.tar"))
    }

    func testPaxHeaders() throws {
        let got = try list(TarReader(path: Self.streamsDir + "/pax.tar"))
        XCTAssertEqual(got, try expected("pax.tar"))
        XCTAssertTrue(got.contains { $0.name == "top/caf\u{e9}-\u{fc}nicode.bin" })
    }

    func testConcatenatedGzipMembersAreOneStream() throws {
        let tar = try TarReader(path: Self.streamsDir + "/pax-two-members.tar.gz")
        XCTAssertTrue(tar.source is GzipReader)
        XCTAssertEqual(try list(tar), try expected("pax-two-members.tar.gz"))
    }

    func testSplitPartsAreOneStream() throws {
        let parts = try ConcatenatedFiles.discoverParts(of: Self.streamsDir + "/pax-split.tar")
        XCTAssertEqual(parts.map { ($0 as NSString).lastPathComponent },
                       ["pax-split.taraa", "pax-split.tarab", "pax-split.tarac", "pax-split.tarad", "pax-split.tarae"])
        XCTAssertEqual(try list(TarReader(ConcatenatedFiles(parts: parts))), try expected("pax-split.tar"))
    }

    func testSkippingUnreadMembersSeeksAcrossParts() throws {
        // Read only the last member; everything before is skipped (lseek across parts).
        let parts = try ConcatenatedFiles.discoverParts(of: Self.streamsDir + "/pax-split.tar")
        let tar = TarReader(try ConcatenatedFiles(parts: parts))
        var last: (TarEntry, [UInt8])?
        while let entry = try tar.next() {
            if entry.name.hasSuffix("q.bin") { last = (entry, try tar.contents.readToEnd(limit: 1 << 20)) }
        }
        XCTAssertEqual(last.map { String(decoding: $0.1, as: UTF8.self) }, "pax long path\n")
        XCTAssertEqual(try tar.next(), nil)
    }

    func testOffsetsAreLocatedInTheirPart() throws {
        let parts = try ConcatenatedFiles.discoverParts(of: Self.streamsDir + "/pax-split.tar")
        let stream = try ConcatenatedFiles(parts: parts)
        XCTAssertEqual(stream.totalSize, 92160)
        XCTAssertEqual(stream.locate(0), parts[0] + " byte 0")
        XCTAssertEqual(stream.locate(20_000), parts[1] + " byte 0")
        XCTAssertEqual(stream.locate(65_432), parts[3] + " byte 5432")
        // A corrupt header in the fourth part is reported with that part's name.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: parts[3])))
        let dir = NSTemporaryDirectory() + "nasdata-parts-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (i, part) in parts.enumerated() {
            try FileManager.default.copyItem(atPath: part, toPath: dir + "/p.tara" + String(UnicodeScalar(UInt8(97 + i))))
        }
        // Find a header that starts in the fourth part (after big.bin's data) and damage it.
        let tar = TarReader(try ConcatenatedFiles(parts: parts))
        var target: Int64?
        while let e = try tar.next() {
            if target == nil && e.headerOffset >= 60_000 && e.headerOffset < 80_000 { target = e.headerOffset }
        }
        let at = Int(try XCTUnwrap(target)) - 60_000
        bytes[at + 3] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/p.tarad"))
        XCTAssertThrowsError(try list(TarReader(ConcatenatedFiles(parts: ConcatenatedFiles.discoverParts(of: dir + "/p.tar"))))) {
            XCTAssertTrue("\($0)".contains("p.tarad byte \(at)"), "\($0)")
        }
    }

    func testMissingPartIsReportedUpFront() throws {
        XCTAssertThrowsError(try ConcatenatedFiles(parts: [Self.streamsDir + "/pax-split.taraa", Self.streamsDir + "/pax-split.tarzz"])) {
            XCTAssertTrue("\($0)".contains("pax-split.tarzz"), "\($0)")
        }
    }

    // MARK: damage

    func temp(_ name: String, _ bytes: [UInt8]) throws -> String {
        let dir = NSTemporaryDirectory() + "nasdata-tar-tests-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.streamsDir + "/" + name)))
    }

    func testTruncatedTarNamesFileAndOffset() throws {
        let whole = try bytes("ustar.tar")
        let path = try temp("cut.tar", Array(whole[0..<5000]))
        XCTAssertThrowsError(try list(TarReader(path: path))) { error in
            guard case IOError.truncated(let p, _, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(p, path)
            XCTAssertTrue(reason.contains("cut short"), reason)
        }
    }

    func testTarWithoutEndMarkerIsTruncated() throws {
        let whole = try bytes("ustar.tar")
        // Cut right after the last member's data: every header is intact, the marker is gone.
        let tar = try TarReader(path: Self.streamsDir + "/ustar.tar")
        var end: Int64 = 0
        while let e = try tar.next() { end = e.dataOffset + (e.size + 511) / 512 * 512 }
        let path = try temp("nomarker.tar", Array(whole[0..<Int(end)]))
        XCTAssertThrowsError(try list(TarReader(path: path))) {
            XCTAssertTrue("\($0)".contains("end-of-archive marker"), "\($0)")
        }
    }

    func testCorruptHeaderChecksum() throws {
        var whole = try bytes("ustar.tar")
        whole[512 + 10] ^= 0x55 // inside the name of the second header (the first member is empty)
        let path = try temp("badsum.tar", whole)
        XCTAssertThrowsError(try list(TarReader(path: path))) { error in
            guard case IOError.malformed(_, let offset, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(offset, 512)
            XCTAssertTrue(reason.contains("checksum"), reason)
        }
    }

    func testCorruptGzipDataNamesCompressedOffset() throws {
        var whole = try bytes("pax-two-members.tar.gz")
        for i in 2000..<2040 { whole[i] ^= 0xA5 }
        let path = try temp("corrupt.tar.gz", whole)
        // Through the tar reader, either layer may notice first; both name the file.
        XCTAssertThrowsError(try list(TarReader(path: path))) { XCTAssertTrue("\($0)".hasPrefix(path), "\($0)") }
        // The inflater alone always does, at a compressed offset near the damage.
        XCTAssertThrowsError(try GzipReader(path: path).readToEnd(limit: 1 << 24)) { error in
            guard case IOError.malformed(let p, let offset, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(p, path)
            XCTAssertGreaterThanOrEqual(offset ?? 0, 2000)
            XCTAssertTrue(reason.contains("corrupt gzip data"), reason)
        }
    }

    func testTruncatedGzip() throws {
        let whole = try bytes("pax-two-members.tar.gz")
        let path = try temp("cut.tar.gz", Array(whole[0..<(whole.count - 100)]))
        XCTAssertThrowsError(try list(TarReader(path: path))) { error in
            guard case IOError.truncated(let p, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(p, path)
        }
    }

    func testGzipTrailerChecksIsVerified() throws {
        var whole = try bytes("pax-two-members.tar.gz")
        whole[whole.count - 6] ^= 0xFF // CRC-32 of the last member
        let path = try temp("badcrc.tar.gz", whole)
        XCTAssertThrowsError(try GzipReader(path: path).readToEnd(limit: 1 << 24)) {
            XCTAssertTrue("\($0)".contains("incorrect data check"), "\($0)")
        }
    }

    func testNotGzip() throws {
        XCTAssertThrowsError(try GzipReader(path: Self.streamsDir + "/ustar.tar")) {
            XCTAssertTrue("\($0)".contains("not a gzip file"), "\($0)")
        }
    }

    func testGzipZeroPaddingAcceptedGarbageRefused() throws {
        let whole = try bytes("pax-two-members.tar.gz")
        let padded = try temp("padded.tar.gz", whole + [UInt8](repeating: 0, count: 1000))
        XCTAssertEqual(try GzipReader(path: padded).readToEnd(limit: 1 << 24), try bytes("pax.tar"))
        let junk = try temp("junk.tar.gz", whole + Array("junk".utf8))
        XCTAssertThrowsError(try GzipReader(path: junk).readToEnd(limit: 1 << 24))
    }

    func testBase256SizeField() {
        var block = [UInt8](repeating: 0, count: 512)
        block[124] = 0x80
        block[131] = 0x02 // 2 << 32 = 8 GiB
        XCTAssertEqual(TarHeader(block: block).number(124, 12), 8 << 30)
    }
}

struct FNV {
    var h: UInt64 = 0xcbf29ce484222325
    mutating func add<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100000001b3 }
    }
    var hex: String {
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
