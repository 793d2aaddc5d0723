import XCTest
import Foundation
@testable import NASDataIO

final class AtomicOutputTests: XCTestCase {
    func testRenamesOnSuccessAndLeavesNothingOnFailure() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let final = dir + "/out.bin"

        struct Boom: Error {}
        XCTAssertThrowsError(try AtomicOutput.write(to: final) { temp in
            XCTAssertTrue(FileManager.default.createFile(atPath: temp, contents: Data([1, 2])))
            throw Boom()
        })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "no partial file may remain")

        try AtomicOutput.write(to: final) { temp in
            XCTAssertNotEqual(temp, final)
            XCTAssertTrue(FileManager.default.createFile(atPath: temp, contents: Data([7])))
        }
        XCTAssertEqual(FileManager.default.contents(atPath: final), Data([7]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["out.bin"])
    }
}
