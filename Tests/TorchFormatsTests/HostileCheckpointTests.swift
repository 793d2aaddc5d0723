import FixtureSupport
import XCTest
import NASDataIO
import Pickle
@testable import TorchFormats

/// Hand-built legacy checkpoints with one thing wrong each: the error must name the
/// file and a byte offset, and nothing may be allocated from a corrupt length.
final class HostileCheckpointTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "nasdata-hostile-\(getpid())-\(name.hashValue)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// A legacy file holding one float tensor view (offset, shape) of a storage of `numel`
    /// elements; the storage record declares `recordNumel` and carries `dataBytes` bytes.
    func legacy(offset: Int, shape: [Int], numel: Int, recordNumel: Int64, dataBytes: Int) -> [UInt8] {
        var out: [UInt8] = []
        var w = PickleWriter(); w.write_magic(); out += w.bytes
        w = PickleWriter(); w.int(1001); w.stop(); out += w.bytes
        w = PickleWriter(); try! w.dump(.makeDict([("protocol_version", 1001), ("little_endian", true)])); out += w.bytes
        w = PickleWriter()
        w.global("torch._utils", "_rebuild_tensor_v2")
        w.mark()
        w.mark(); w.string("storage"); w.global("torch", "FloatStorage"); w.string("0"); w.string("cpu"); w.int(numel); w.none()
        w.tupleFromMark(); w.binpersid()
        w.int(offset)
        w.mark(); for d in shape { w.int(d) }; w.tupleFromMark()
        w.mark(); var acc = 1; var strides: [Int] = []
        for d in shape.reversed() { strides.insert(acc, at: 0); acc *= d }
        for s in strides { w.int(s) }; w.tupleFromMark()
        w.bool(false); w.global("collections", "OrderedDict"); w.emptyTuple(); w.reduce()
        w.tupleFromMark(); w.reduce(); w.stop()
        out += w.bytes
        w = PickleWriter(); try! w.dump(.makeList(["0"])); out += w.bytes
        withUnsafeBytes(of: recordNumel.littleEndian) { out += $0 }
        out += [UInt8](repeating: 0, count: dataBytes)
        return out
    }

    func write(_ bytes: [UInt8], _ name: String) -> String {
        let path = dir + "/" + name
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    func testWellFormedBaseline() throws {
        let path = write(legacy(offset: 1, shape: [3], numel: 4, recordNumel: 4, dataBytes: 16), "ok.pth")
        let t = try XCTUnwrap(TorchCheckpoint.load(path: path).tensor)
        XCTAssertEqual(try t.materialize().shape, [3])
    }

    func testOutOfRangeStorageOffset() {
        let path = write(legacy(offset: 3, shape: [3], numel: 4, recordNumel: 4, dataBytes: 16), "offset.pth")
        XCTAssertThrowsError(try TorchCheckpoint.load(path: path)) { e in
            let pe = e as? PickleError
            XCTAssertEqual(pe?.path, path)
            XCTAssertGreaterThan(pe?.offset ?? 0, 0)
            XCTAssertTrue("\(e)".contains("exceeds storage"), "\(e)")
        }
    }

    func testHugeDeclaredStorageLength() {
        let path = write(legacy(offset: 0, shape: [3], numel: 4, recordNumel: 1 << 60, dataBytes: 16), "huge.pth")
        XCTAssertThrowsError(try TorchCheckpoint.load(path: path)) { e in
            guard case .truncated(let p, let off, _) = e as? IOError else { return XCTFail("\(e)") }
            XCTAssertEqual(p, path)
            XCTAssertGreaterThan(off, 0)
        }
    }

    func testTruncatedStorageData() {
        let path = write(legacy(offset: 0, shape: [3], numel: 4, recordNumel: 4, dataBytes: 10), "short.pth")
        XCTAssertThrowsError(try TorchCheckpoint.load(path: path)) { XCTAssertTrue("\($0)".contains(path), "\($0)") }
    }

    func testWrongMagicAndGarbage() {
        var bytes = legacy(offset: 0, shape: [3], numel: 4, recordNumel: 4, dataBytes: 16)
        bytes[6] ^= 0xFF
        let path = write(bytes, "magic.pth")
        XCTAssertThrowsError(try TorchCheckpoint.load(path: path)) { XCTAssertTrue("\($0)".contains("magic"), "\($0)") }
        let garbage = write(Array("hello world, not a checkpoint".utf8), "garbage.pth")
        XCTAssertThrowsError(try TorchCheckpoint.load(path: garbage)) { XCTAssertTrue("\($0)".contains(garbage)) }
        XCTAssertThrowsError(try AnyFile.sniff(path: garbage))
    }

    func testZipWithCentralDirectoryOutsideTheFile() throws {
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: PickleFixtures.path("state_dict_zip.pth"))))
        // End-of-central-directory record: the last 22 bytes (no comment); offset field at +16.
        let eocd = bytes.count - 22
        XCTAssertEqual(Array(bytes[eocd..<eocd + 4]), [0x50, 0x4B, 0x05, 0x06])
        bytes[eocd + 16] = 0xFF; bytes[eocd + 17] = 0xFF; bytes[eocd + 18] = 0xFF; bytes[eocd + 19] = 0x7F
        // torch (miniz) also writes ZIP64 records, which take precedence: corrupt that offset too.
        if let z64 = (0..<eocd).last(where: { Array(bytes[$0..<$0 + 4]) == [0x50, 0x4B, 0x06, 0x06] }) {
            for i in 0..<8 { bytes[z64 + 48 + i] = i == 7 ? 0x01 : 0xFF }
        }
        let path = write(bytes, "cd.pth")
        XCTAssertThrowsError(try TorchCheckpoint.load(path: path)) { e in
            guard case .malformed(let p, let off, _) = e as? IOError else { return XCTFail("\(e)") }
            XCTAssertEqual(p, path)
            XCTAssertNotNil(off)
        }
    }
}

extension PickleWriter {
    /// The legacy format's first pickle: the magic number 0x1950a86a20f9469cfc6c.
    mutating func write_magic() {
        try! dump(.bigInt(PickleBigInt(littleEndianBytes: [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19])))
    }
}
