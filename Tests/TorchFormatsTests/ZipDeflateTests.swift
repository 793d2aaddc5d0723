import XCTest
import NASDataIO
import Tensors
@testable import TorchFormats
import Compression

/// ZipReader on deflated (method 8) and stored entries: the public listing / reading API, CRC-32 and
/// size checks, bounded reads. The archives are written here (raw deflate through zlib), so the test
/// controls every byte.
final class ZipDeflateTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nasdata-zipdeflate-\(getpid())")
        try? FileManager.default.removeItem(at: scratch)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    /// Raw deflate: a zlib stream (Compression's deflater) without its 2-byte header and Adler-32 trailer.
    func rawDeflate(_ input: [UInt8]) -> [UInt8] {
        let z = try! input.withUnsafeBytes { try Deflate.compress($0, level: 6, strategy: .standard) }
        return Array(z[2..<(z.count - 4)])
    }

    /// A minimal zip: (name, method, data, crc override, size override) per entry.
    func zip(_ entries: [(name: String, method: UInt16, data: [UInt8], crc: UInt32?, size: Int?)]) -> [UInt8] {
        var out: [UInt8] = [], central: [UInt8] = []
        for e in entries {
            let stored = e.method == 8 ? rawDeflate(e.data) : e.data
            let crc = e.crc ?? CRC32.of(e.data), size = UInt32(e.size ?? e.data.count)
            let offset = UInt32(out.count), name = Array(e.name.utf8)
            appendLE(&out, UInt32(0x0403_4B50)); appendLE(&out, UInt16(20)); appendLE(&out, UInt16(0)); appendLE(&out, e.method)
            appendLE(&out, UInt32(0)); appendLE(&out, crc); appendLE(&out, UInt32(stored.count)); appendLE(&out, size)
            appendLE(&out, UInt16(name.count)); appendLE(&out, UInt16(0))
            out += name + stored
            appendLE(&central, UInt32(0x0201_4B50)); appendLE(&central, UInt16(20)); appendLE(&central, UInt16(20))
            appendLE(&central, UInt16(0)); appendLE(&central, e.method); appendLE(&central, UInt32(0)); appendLE(&central, crc)
            appendLE(&central, UInt32(stored.count)); appendLE(&central, size); appendLE(&central, UInt16(name.count))
            appendLE(&central, UInt16(0)); appendLE(&central, UInt16(0)); appendLE(&central, UInt16(0)); appendLE(&central, UInt16(0))
            appendLE(&central, UInt32(0)); appendLE(&central, offset)
            central += name
        }
        let cdOffset = UInt32(out.count)
        out += central
        appendLE(&out, UInt32(0x0605_4B50)); appendLE(&out, UInt16(0)); appendLE(&out, UInt16(0))
        appendLE(&out, UInt16(entries.count)); appendLE(&out, UInt16(entries.count))
        appendLE(&out, UInt32(central.count)); appendLE(&out, cdOffset); appendLE(&out, UInt16(0))
        return out
    }

    func write(_ bytes: [UInt8], _ name: String = "a.zip") throws -> String {
        let path = scratch.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// 3 MiB of compressible but not trivial bytes: several 1 MiB output chunks.
    let big: [UInt8] = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: ($0 / 7) ^ ($0 >> 11)) }

    func testDeflatedAndStoredEntriesReadBack() throws {
        let small = Array("hello, npz".utf8)
        let path = try write(zip([("big.bin", 8, big, nil, nil), ("small.txt", 0, small, nil, nil), ("empty", 8, [], nil, nil)]))
        let z = try ZipReader(path: path)
        XCTAssertEqual(z.entries.map(\.name), ["big.bin", "small.txt", "empty"])
        XCTAssertEqual(z.entries.map(\.method), [8, 0, 8])
        XCTAssertLessThan(z.entry("big.bin")!.compressedSize, Int64(big.count))
        XCTAssertEqual(try z.contents(of: z.entry("big.bin")!, limit: big.count), big)
        XCTAssertEqual(try z.contents(of: z.entry("small.txt")!, limit: 100), small)
        XCTAssertEqual(try z.contents(of: z.entry("empty")!, limit: 0), [])
        var chunks: [Int] = []
        try z.forEachChunk(of: z.entry("big.bin")!) { chunks.append($0.count) }
        XCTAssertEqual(chunks.reduce(0, +), big.count)
        XCTAssertLessThanOrEqual(chunks.max()!, 1 << 20)
        XCTAssertGreaterThan(chunks.count, 2)
        XCTAssertNil(z.entry("nope"))
    }

    func assertFails(_ bytes: [UInt8], entry: String, mention: String, limit: Int = 1 << 30, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = try write(bytes)
        let z = try ZipReader(path: path)
        XCTAssertThrowsError(try z.contents(of: z.entry(entry)!, limit: limit), file: file, line: line) {
            let text = "\($0)"
            XCTAssertTrue(text.contains(path), text, file: file, line: line)
            XCTAssertTrue(text.contains(entry), text, file: file, line: line)
            XCTAssertTrue(text.contains(mention), text, file: file, line: line)
        }
    }

    func testCRCMismatchIsNamed() throws {
        try assertFails(zip([("d.npy", 8, big, 0xDEAD_BEEF, nil)]), entry: "d.npy", mention: "CRC-32 mismatch")
        try assertFails(zip([("s.npy", 0, Array(big.prefix(1000)), 0x1234_5678, nil)]), entry: "s.npy", mention: "CRC-32 mismatch")
    }

    func testWrongRecordedSizeIsAnError() throws {
        try assertFails(zip([("d.npy", 8, big, nil, big.count - 1)]), entry: "d.npy", mention: "more than its recorded")
        try assertFails(zip([("d.npy", 8, big, nil, big.count + 1)]), entry: "d.npy", mention: "header says")
    }

    func testLimitIsCheckedBeforeReading() throws {
        try assertFails(zip([("d.npy", 8, big, nil, nil)]), entry: "d.npy", mention: "more than the 1000 allowed", limit: 1000)
        // A recorded size far beyond the data is refused by the limit, without allocating it.
        try assertFails(zip([("d.npy", 8, [1, 2, 3], nil, Int(UInt32.max) - 1)]), entry: "d.npy", mention: "allowed", limit: 1 << 30)
    }

    func testCorruptDeflateDataIsNamed() throws {
        var bytes = zip([("d.npy", 8, big, nil, nil)])
        for i in 100..<140 { bytes[i] ^= 0xA5 }
        let path = try write(bytes)
        let z = try ZipReader(path: path)
        XCTAssertThrowsError(try z.contents(of: z.entry("d.npy")!, limit: 1 << 30)) {
            XCTAssertTrue("\($0)".contains("d.npy"), "\($0)")
            XCTAssertTrue("\($0)".contains("corrupt deflate data") || "\($0)".contains("CRC-32"), "\($0)")
        }
    }

    func testUnsupportedMethodIsNamed() throws {
        try assertFails(zip([("b.bz", 12, [1, 2, 3], nil, nil)]), entry: "b.bz", mention: "method 12")
    }

    func testTruncatedArchiveIsAnError() throws {
        let bytes = zip([("d.npy", 8, big, nil, nil)])
        let path = try write(Array(bytes.prefix(bytes.count / 2)))
        XCTAssertThrowsError(try ZipReader(path: path)) { XCTAssertTrue("\($0)".contains(path), "\($0)") }
    }

    func testNpyFromBytesMatchesNpyFromFile() throws {
        let t = Tensor(dtype: .float32, shape: [2, 3], bytes: (0..<24).map { UInt8($0) })
        let path = scratch.appendingPathComponent("t.npy").path
        try NPY.write(t, to: path)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let a = try NPY.readArray(bytes: bytes, name: "x.npz: t.npy")
        XCTAssertEqual(a.shape, [2, 3]); XCTAssertEqual(a.data, t.bytes)
        XCTAssertThrowsError(try NPY.readArray(bytes: Array(bytes.prefix(bytes.count - 1)), name: "x.npz: t.npy")) {
            XCTAssertTrue("\($0)".contains("x.npz: t.npy"), "\($0)")
        }
        XCTAssertThrowsError(try NPY.readArray(bytes: Array(bytes.prefix(20)), name: "x.npz: t.npy"))
    }
}
