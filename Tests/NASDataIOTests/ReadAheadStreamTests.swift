import Foundation
import FixtureSupport
import XCTest
@testable import NASDataIO

/// `ReadAheadStream` delivers exactly the base stream's bytes, then its end or its error, from
/// another thread, whatever the chunk size and the reader's piece size.
final class ReadAheadStreamTests: XCTestCase {
    /// A base stream that gives `bytes` in pieces of at most `piece`, then fails (if `failure`).
    final class Scripted: ByteStream {
        let path = "scripted"
        var offset: Int64 = 0
        let bytes: [UInt8], piece: Int, failure: Error?
        init(_ bytes: [UInt8], piece: Int, failure: Error? = nil) { (self.bytes, self.piece, self.failure) = (bytes, piece, failure) }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            let n = min(buffer.count, piece, bytes.count - Int(offset))
            if n == 0, let failure { throw failure }
            bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + Int(offset), byteCount: n) }
            offset += Int64(n)
            return n
        }
    }

    struct Broken: Error, CustomStringConvertible { var description: String { "scripted: broken at byte 70001" } }

    func testSameBytesForEveryChunkAndPieceSize() throws {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<70_001).map { _ in UInt8.random(in: 0...255, using: &rng) }
        for (chunk, depth, basePiece, piece) in [(1 << 20, 4, 1 << 16, 1 << 16), (1000, 1, 7, 333), (4096, 3, 4096, 1),
                                                 (70_001, 2, 70_001, 70_001), (13, 8, 100, 4096)] {
            let stream = ReadAheadStream(Scripted(bytes, piece: basePiece), chunkSize: chunk, depth: depth)
            XCTAssertEqual(try readAll(stream, piece: piece), bytes, "chunk \(chunk) depth \(depth)")
            XCTAssertEqual(stream.offset, Int64(bytes.count))
            XCTAssertEqual(try readAll(stream, piece: 10), [], "the end stays the end")
        }
        XCTAssertEqual(try readAll(ReadAheadStream(Scripted([], piece: 1)), piece: 10), [])
    }

    func testEveryByteBeforeTheErrorThenTheError() throws {
        let bytes = (0..<70_001).map { UInt8(truncatingIfNeeded: $0) }
        for chunk in [1000, 1 << 20] {
            let stream = ReadAheadStream(Scripted(bytes, piece: 999, failure: Broken()), chunkSize: chunk, depth: 2)
            var got: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            XCTAssertThrowsError(try {
                while true {
                    let n = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
                    XCTAssertGreaterThan(n, 0, "no end before the error")
                    got += buffer[0..<n]
                }
            }()) { XCTAssertEqual("\($0)", "scripted: broken at byte 70001") }
            XCTAssertEqual(got, bytes, "chunk \(chunk)")
        }
    }

    /// Released part-way through a long stream: the producer stops (the test would hang on a
    /// producer waiting for room forever only if nothing woke it; it must not keep reading).
    func testReleasedEarlyStopsTheProducer() throws {
        final class Counting: ByteStream {
            let path = "endless"
            var offset: Int64 = 0
            func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { offset += Int64(buffer.count); return buffer.count }
        }
        let base = Counting()
        do {
            let stream = ReadAheadStream(base, chunkSize: 1024, depth: 2)
            _ = try readAll(ReadAheadLimit(stream, 5000), piece: 100)
        }
        Thread.sleep(forTimeInterval: 0.2)
        let after = base.offset
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(base.offset, after, "the producer stopped")
        XCTAssertLessThanOrEqual(after, 5000 + 4 * 1024)
    }

    /// The first `limit` bytes of a stream.
    final class ReadAheadLimit: ByteStream {
        let base: ByteStream, limit: Int64
        var offset: Int64 = 0
        var path: String { base.path }
        init(_ base: ByteStream, _ limit: Int64) { (self.base, self.limit) = (base, limit) }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            let want = Int(min(Int64(buffer.count), limit - offset))
            guard want > 0 else { return 0 }
            let n = try base.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
            offset += Int64(n)
            return n
        }
    }

    /// Through a bz2 reader: the same bytes, and a truncated file's error after the same bytes.
    func testOverBzip2() throws {
        let path = Repository.fixtures("nats").appendingPathComponent("NATS-tss-v1_0-3ffb9-simple/000011.pickle.pbz2").path
        let plain = try readAll(Bzip2Reader(path: path), piece: 1 << 16)
        XCTAssertEqual(try readAll(ReadAheadStream(Bzip2Reader(path: path), chunkSize: 4096), piece: 1000), plain)
        let whole = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let cut = FileManager.default.temporaryDirectory.appendingPathComponent("ra-\(UUID().uuidString).pbz2")
        defer { try? FileManager.default.removeItem(at: cut) }
        try Data(whole.prefix(whole.count / 2)).write(to: cut)
        var direct: String?, ahead: String?
        XCTAssertThrowsError(try readAll(Bzip2Reader(path: cut.path), piece: 1000)) { direct = "\($0)" }
        XCTAssertThrowsError(try readAll(ReadAheadStream(Bzip2Reader(path: cut.path), chunkSize: 4096), piece: 1000)) { ahead = "\($0)" }
        XCTAssertNotNil(direct)
        XCTAssertEqual(direct, ahead)
    }
}
