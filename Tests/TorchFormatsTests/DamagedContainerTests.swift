import FixtureSupport
import XCTest
import NASDataIO
import Pickle
@testable import TorchFormats

/// Issue 17, item 3: the readers themselves refuse damaged containers, so every command
/// that reads a file (inspect, verify, reload, pack-archive, convert-benchmark) says the
/// same thing, naming the file and the byte offset.
final class DamagedContainerTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "nasdata-damaged-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func copy(_ fixture: String, _ name: String, _ edit: (inout [UInt8]) -> Void) throws -> String {
        var b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: PickleFixtures.path(fixture))))
        edit(&b)
        let path = dir + "/" + name
        try Data(b).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testBytesAfterAPlainPicklesStopAreAnError() throws {
        let path = try copy("plain_p2.pkl", "x.pkl") { $0 += [0x2E, 0x2E] }
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        XCTAssertThrowsError(try Unpickler.load(path: path)) { e in
            let p = e as? PickleError
            XCTAssertEqual(p?.reason, .trailingBytes(2))
            XCTAssertEqual(p?.offset, Int64(size - 2))
            XCTAssertTrue("\(e)".contains(path), "\(e)")
        }
        // inspect's paths: the whole tree, and the streaming statistics.
        XCTAssertThrowsError(try AnyFile.load(path: path))
        XCTAssertThrowsError(try TreeStats.gather(path: path))
        // Consecutive pickles are still read one by one by callers that expect them.
        let u = try Unpickler(path: path)
        XCTAssertNoThrow(try u.load())
    }

    func testDamagedLegacyMagicIsReportedAsSuch() throws {
        let path = try copy("state_dict_legacy.pth", "m.pth") { $0[9] ^= 0xFF }
        XCTAssertEqual(try AnyFile.sniff(path: path), .torchLegacy)   // not "a pickle holding an int"
        for load in [{ _ = try AnyFile.load(path: path) }, { _ = try TorchCheckpoint.load(path: path) }] {
            XCTAssertThrowsError(try load()) { e in
                XCTAssertTrue("\(e)".contains("damaged magic number"), "\(e)")
                XCTAssertTrue("\(e)".contains("\(path) (byte 9)"), "\(e)")
            }
        }
        // A damaged opcode in the magic pickle: still the magic pickle that is named.
        let op = try copy("state_dict_legacy.pth", "o.pth") { $0[3] = 0x0B }
        XCTAssertThrowsError(try TorchCheckpoint.load(path: op)) { e in
            XCTAssertTrue("\(e)".contains("magic"), "\(e)")
        }
    }

    func testBytesAfterTheLastStorageRecordAreAnError() throws {
        let path = try copy("state_dict_legacy.pth", "t.pth") { $0 += [0, 0, 0, 0] }
        XCTAssertThrowsError(try TorchCheckpoint.load(path: path)) { e in
            XCTAssertTrue("\(e)".contains("4 byte(s) after the last storage record"), "\(e)")
        }
        XCTAssertNoThrow(try TorchCheckpoint.load(path: PickleFixtures.path("state_dict_legacy.pth")))
    }

    func testContentVerificationReadsEveryTensor() throws {
        for name in ["state_dict_legacy.pth", "state_dict_zip.pth", "tricky_legacy.pth", "tricky_zip.pth"] {
            let s = try ContentVerification.checkpoint(path: PickleFixtures.path(name))
            XCTAssertGreaterThan(s.tensors, 0, name)
            XCTAssertGreaterThan(s.tensorBytes, 0, name)
        }
        XCTAssertEqual(try ContentVerification.checkpoint(path: PickleFixtures.path("state_dict_zip.pth")).format, .zip)
    }
}

/// Crashes libFuzzer found in nasdata's own code (Tools/fuzz.sh), kept as regression tests.
final class FuzzFoundCrashTests: XCTestCase {
    /// A `.npy` whose shape times itemsize overflows Int trapped while building the error
    /// message (found by `Tools/fuzz.sh npy`); now the error itself.
    func testNPYShapeWhoseByteCountOverflowsIsAnError() throws {
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952,), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        let bytes = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
            + Array(header.utf8)
        XCTAssertThrowsError(try NPY.readArray(bytes: bytes, name: "big.npy")) { e in
            XCTAssertTrue("\(e)".contains("big.npy"), "\(e)")
        }
    }

    /// A ZIP64 end record whose 64-bit counts/offsets do not fit in Int64 trapped in
    /// `Int64(_:)` (found by `Tools/fuzz.sh checkpoint`); now a one-line error.
    func testZip64FieldsBeyondInt64AreAnErrorNotATrap() throws {
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        for (z64Offset, count) in [(UInt64(0), UInt64.max), (UInt64.max, UInt64(1)), (UInt64(0), UInt64(1) << 63)] {
            var end64 = le(UInt32(0x0606_4B50)) + [UInt8](repeating: 0, count: 28)
            end64 += le(count) + le(UInt64.max) + le(UInt64.max)          // entries, cd size, cd offset
            let locator = le(UInt32(0x0706_4B50)) + le(UInt32(0)) + le(z64Offset) + le(UInt32(1))
            let eocd = le(UInt32(0x0605_4B50)) + [UInt8](repeating: 0, count: 18)
            let path = NSTemporaryDirectory() + "zip64-\(getpid()).pth"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Data(end64 + locator + eocd).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try ZipReader(path: path)) { e in XCTAssertTrue("\(e)".contains(path), "\(e)") }
            XCTAssertThrowsError(try ContentVerification.checkpoint(path: path))
        }
    }
}
