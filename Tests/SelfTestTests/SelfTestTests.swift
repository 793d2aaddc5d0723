import Foundation
import XCTest
import SelfTest

final class SelfTestTests: XCTestCase {
    func testSampleWritesReadsBackAndConformsToItsSchemas() throws {
        let dir = NSTemporaryDirectory() + "nasdata-selftest-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/sample.h5"
        let report = try HDF5SelfTest.run(path: path)
        XCTAssertTrue(report.passed, "\(report.deviations)")
        XCTAssertEqual(report.lines.last, "selftest: OK")
        XCTAssertTrue(report.lines.contains { $0.hasPrefix("  read back: ") })
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/sample.target.h5"))

        // The dump of the written file names its datasets and the external link.
        let json = "\(try HDF5SelfTest.dump(path: path, maxValues: 10))"
        XCTAssertTrue(json.contains("\"externalLink\""), json)
        XCTAssertTrue(json.contains("sample.target.h5"), json)
    }

    func testDumpOfAMissingFileThrows() {
        XCTAssertThrowsError(try HDF5SelfTest.dump(path: "/nonexistent/nasdata-selftest.h5", maxValues: 1))
    }
}
