import Foundation
import FixtureSupport
import XCTest
@testable import NASDataIO

/// The bz2 reader on the authors' NATS-Bench sample files (Tests/Fixtures/nats) and on
/// hostile inputs cut from them or made by Tools/fixtures/make-nats-fixtures.py.
final class Bzip2ReaderTests: XCTestCase {
    static let nats = Repository.fixtures("nats")
    static func sample(_ space: String, _ name: String) -> String {
        let folder = space == "tss" ? "NATS-tss-v1_0-3ffb9-simple" : "NATS-sss-v1_0-50262-simple"
        return nats.appendingPathComponent("\(folder)/\(name).pickle.pbz2").path
    }
    static func hostile(_ name: String) -> String { nats.appendingPathComponent("generated/hostile/\(name)").path }

    func temp(_ bytes: [UInt8], _ name: String = "x.pbz2") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bz2-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// Decompressed sizes of the eight sample files (`bzip2 -dc FILE | wc -c`).
    func testSampleFilesDecompressToTheirKnownSizes() throws {
        let sizes: [(String, String, Int)] = [
            ("tss", "meta", 1_381_555), ("tss", "000000", 325_810), ("tss", "000011", 325_802), ("tss", "000284", 325_796),
            ("sss", "meta", 536_798), ("sss", "000000", 83_905), ("sss", "000011", 83_907), ("sss", "000284", 83_911),
        ]
        for (space, name, size) in sizes {
            let reader = try Bzip2Reader(path: Self.sample(space, name))
            let all = try readAll(reader)
            XCTAssertEqual(all.count, size, name)
            XCTAssertEqual(reader.offset, Int64(size))
            XCTAssertEqual(Array(all.prefix(3)), [0x80, 0x04, 0x95], "a protocol-4 pickle opening with a FRAME")
            XCTAssertEqual(all.last, 0x2E, "ends with STOP")
        }
    }

    func testOddPieceSizesGiveTheSameBytes() throws {
        let path = Self.sample("tss", "000011")
        let whole = try readAll(Bzip2Reader(path: path))
        XCTAssertTrue(try readAll(Bzip2Reader(path: path), piece: 777) == whole)
        XCTAssertTrue(try readAll(Bzip2Reader(path: path), piece: 1) == whole)
    }

    /// Concatenated streams (pbzip2, `cat a.bz2 b.bz2`) read as one, even with a tiny input buffer
    /// that splits the second stream's magic.
    func testMultipleStreamsReadAsOne() throws {
        let a = Self.sample("sss", "000000"), b = Self.sample("sss", "000011")
        let joined = try temp(try bytes(a) + bytes(b))
        let expected = try readAll(Bzip2Reader(path: a)) + readAll(Bzip2Reader(path: b))
        XCTAssertTrue(try readAll(Bzip2Reader(path: joined)) == expected)
        for bufferSize in [1, 2, 5, 4096] {
            let r = try Bzip2Reader(FileByteStream(path: joined), maxBytes: 1 << 30, inputBufferSize: bufferSize)
            XCTAssertTrue(try readAll(r, piece: 1000) == expected, "input buffer \(bufferSize)")
        }
        // the fixture made by Python's bz2 module: two pickles in two streams (parsed in PickleTests)
        let two = try readAll(Bzip2Reader(path: Self.hostile("multistream.pbz2")))
        XCTAssertEqual(two.filter { $0 == 0x80 }.count, 2, "two PROTO opcodes")
    }

    func testTruncatedFileIsOneClearError() throws {
        let full = try bytes(Self.sample("tss", "000000"))
        for cut in [3, 100, full.count / 2, full.count - 1] {
            let path = try temp(Array(full.prefix(cut)))
            XCTAssertThrowsError(try readAll(Bzip2Reader(path: path)), "cut at \(cut)") { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix(path), text)
                XCTAssertTrue(text.contains("ends before its end marker") || text.contains("corrupt bz2 data"), text)
                XCTAssertFalse(text.contains("\n"))
            }
        }
        let tooShort = try temp([0x42, 0x5A])
        XCTAssertThrowsError(try Bzip2Reader(path: tooShort)) { XCTAssertTrue("\($0)".contains("too short to be a bz2 file"), "\($0)") }
    }

    /// Flipping a byte of the first block's stored CRC (bytes 10-13: after "BZh9" and the block magic).
    func testBadBlockCRCIsReported() throws {
        var b = try bytes(Self.sample("tss", "000284"))
        b[11] ^= 0x5A
        let path = try temp(b)
        XCTAssertThrowsError(try readAll(Bzip2Reader(path: path))) { error in
            XCTAssertTrue("\(error)".hasPrefix(path))
            XCTAssertTrue("\(error)".contains("CRC does not match"), "\(error)")
        }
    }

    func testNotBz2AndTrailingGarbage() throws {
        let gz = try temp([0x1F, 0x8B, 0x08, 0x00, 0, 0], "x.gz")
        XCTAssertThrowsError(try Bzip2Reader(path: gz)) { XCTAssertTrue("\($0)".contains("not a bz2 file (starts with bytes 1f 8b 08"), "\($0)") }
        let garbage = try temp(try bytes(Self.sample("sss", "000000")) + Array("trailing".utf8))
        XCTAssertThrowsError(try readAll(Bzip2Reader(path: garbage))) {
            XCTAssertTrue("\($0)".contains("are not another bz2 stream"), "\($0)")
        }
    }

    /// 208 bytes that decompress to 256 MiB: the default cap (1000x + 64 MiB) stops it, having
    /// delivered no more than the cap.
    func testBombStopsAtTheDefaultCap() throws {
        let path = Self.hostile("bomb.pbz2")
        let reader = try Bzip2Reader(path: path)
        XCTAssertEqual(reader.maxBytes, Bzip2Reader.defaultCap(compressedSize: 208))
        XCTAssertEqual(reader.maxBytes, 208_000 + (64 << 20))
        XCTAssertThrowsError(try readAll(reader, piece: 1 << 20)) { error in
            XCTAssertTrue("\(error)".contains("decompresses to more than \(208_000 + (64 << 20)) bytes, the cap"), "\(error)")
        }
        XCTAssertLessThanOrEqual(reader.offset, reader.maxBytes)
    }

    func testExplicitCapIsExactlyInclusive() throws {
        let path = Self.sample("sss", "000011")
        XCTAssertEqual(try readAll(Bzip2Reader(path: path, maxBytes: 83_907)).count, 83_907)
        XCTAssertThrowsError(try readAll(Bzip2Reader(path: path, maxBytes: 83_906))) {
            XCTAssertTrue("\($0)".contains("more than 83906 bytes, the cap"), "\($0)")
        }
    }
}
