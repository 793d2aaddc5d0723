import XCTest
import Compression

final class InflaterTests: XCTestCase {
    private func sample() -> [UInt8] {
        var state: UInt32 = 12345
        return (0..<100_000).map { i in
            state = state &* 1_103_515_245 &+ 12345
            return i % 3 == 0 ? UInt8(truncatingIfNeeded: state >> 24) : UInt8(i % 7)
        }
    }

    /// Streams `packed` through an inflater in small input and output pieces.
    private func inflate(_ packed: [UInt8], format: Inflater.Format, piece: Int = 777) throws -> (bytes: [UInt8], ended: Bool) {
        let inflater = try Inflater(format)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1000)
        var ended = false
        var start = 0
        while start < packed.count && !ended {
            let end = min(start + piece, packed.count)
            try packed[start..<end].withUnsafeBytes { input in
                inflater.setInput(input.baseAddress, count: input.count)
                repeat {
                    let status = try buffer.withUnsafeMutableBytes { b in
                        inflater.setOutput(b.baseAddress, count: b.count)
                        return try inflater.inflate()
                    }
                    out += buffer[0..<(buffer.count - inflater.availableOutput)]
                    if status == .streamEnd { ended = true }
                    if status == .stalled { break }
                } while !ended && (inflater.availableInput > 0 || inflater.availableOutput == 0)
            }
            start = end
        }
        return (out, ended)
    }

    func testZlibAndRawStreamsInflateBackInPieces() throws {
        let bytes = sample()
        let zlib = try bytes.withUnsafeBytes { try Deflate.compress($0, level: 6, strategy: .standard) }
        let viaZlib = try inflate(zlib, format: .zlib)
        XCTAssertTrue(viaZlib.ended)
        XCTAssertEqual(viaZlib.bytes, bytes)
        // Raw deflate: the zlib stream without its 2-byte header and 4-byte Adler-32 trailer.
        let viaRaw = try inflate(Array(zlib[2..<(zlib.count - 4)]), format: .raw)
        XCTAssertTrue(viaRaw.ended)
        XCTAssertEqual(viaRaw.bytes, bytes)
    }

    func testCorruptDataThrowsZlibsMessage() throws {
        var zlib = try sample().withUnsafeBytes { try Deflate.compress($0, level: 6, strategy: .standard) }
        zlib[zlib.count - 2] ^= 0xff  // the Adler-32 trailer
        XCTAssertThrowsError(try inflate(zlib, format: .zlib)) { error in
            XCTAssertTrue("\(error)".contains("incorrect data check"), "\(error)")
        }
        XCTAssertThrowsError(try inflate([0x1f, 0x8b, 0x09, 0, 0, 0, 0, 0, 0, 0], format: .gzip)) { error in
            XCTAssertTrue(error is Inflater.Failure, "\(error)")
        }
    }

    func testTruncatedStreamDoesNotEnd() throws {
        let zlib = try sample().withUnsafeBytes { try Deflate.compress($0, level: 6, strategy: .standard) }
        XCTAssertFalse(try inflate(Array(zlib.prefix(zlib.count / 2)), format: .zlib).ended)
    }
}
