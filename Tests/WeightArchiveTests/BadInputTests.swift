import Foundation
import XCTest
@testable import WeightArchive

final class BadInputTests: XCTestCase {
    /// Good files around a truncated one, a corrupt one, one with a wrong name and
    /// one whose name does not match its content.
    private func badDirectory() -> String {
        let good = ArchiveFixtures.names.map { ($0, ArchiveFixtures.bytes($0)) }
        return ArchiveFixtures.inputDirectory(good + [
            ("000004-FULL.pth", ArchiveFixtures.bytes("000003-FULL.pth")),              // holds arch 3
            ("000010-FULL.pth", Array(ArchiveFixtures.bytes("000058-FULL.pth").prefix(300_000))), // truncated
            ("000011-FULL.pth", Array("this is not a checkpoint".utf8)),                // corrupt
            ("model-final.pth", ArchiveFixtures.bytes("000025-FULL.pth")),                // unexpected name
            ("notes.txt", Array("not an input".utf8)),                                   // ignored
        ])
    }

    func testKeepGoingPacksTheRestAndReportsEachBadFile() throws {
        let out = ArchiveFixtures.tempDirectory() + "/a.h5"
        let report = try ArchiveFixtures.pack(.directory(badDirectory()), to: out) { $0.keepGoing = true }
        XCTAssertEqual(report.filesPacked, 3)
        let byMember = Dictionary(uniqueKeysWithValues: report.problems.map { ($0.member, $0.error) })
        XCTAssertEqual(Set(byMember.keys), ["000004-FULL.pth", "000010-FULL.pth", "000011-FULL.pth", "model-final.pth"])
        XCTAssertTrue(byMember["000004-FULL.pth"]!.contains("says architecture 4 but the file holds architecture 3"), byMember["000004-FULL.pth"]!)
        XCTAssertTrue(byMember["model-final.pth"]!.contains("unexpected member name"))
        XCTAssertTrue(byMember["000010-FULL.pth"]!.contains("000010-FULL.pth"))
        let reader = try ArchiveReader(path: out)
        XCTAssertTrue(reader.isComplete)
        XCTAssertEqual(reader.problems.count, 4)
        XCTAssertEqual(reader.runs.count, 6)
        XCTAssertEqual(try ArchiveIntegrity.verify(path: out), [])
    }

    func testWithoutKeepGoingStopsNamingTheFileAndKeepsWhatWasPacked() throws {
        let out = ArchiveFixtures.tempDirectory() + "/a.h5"
        XCTAssertThrowsError(try ArchiveFixtures.pack(.directory(badDirectory()), to: out)) { error in
            // Name order: 000003, 000004 (mismatch) -> stops there.
            XCTAssertTrue("\(error)".hasPrefix("000004-FULL.pth: "), "\(error)")
        }
        let reader = try ArchiveReader(path: out)
        XCTAssertFalse(reader.isComplete)
        XCTAssertEqual(reader.sources.map(\.archIndex), [3])
        XCTAssertEqual(try ArchiveIntegrity.verify(path: out).filter { $0.run != nil }, [])
    }

    func testDuplicateMemberAndInterruptedTar() throws {
        let dir = ArchiveFixtures.tempDirectory()
        let a = ArchiveFixtures.bytes("000003-FULL.pth"), b = ArchiveFixtures.bytes("000058-FULL.pth")
        ArchiveFixtures.write(ArchiveFixtures.tar([("x/000003-FULL.pth", a), ("x/000003-FULL.pth", a), ("x/000058-FULL.pth", b)]),
                              to: dir + "/dup.tar")
        let report = try ArchiveFixtures.pack(.tar(dir + "/dup.tar"), to: dir + "/dup.h5") { $0.keepGoing = true }
        XCTAssertEqual(report.filesPacked, 2)
        XCTAssertEqual(report.problems.count, 1)
        XCTAssertTrue(report.problems[0].error.contains("duplicate"), report.problems[0].error)

        // A tar cut in the middle of its second member (an interrupted download).
        let full = ArchiveFixtures.tar([("x/000003-FULL.pth", a), ("x/000058-FULL.pth", b)])
        ArchiveFixtures.write(Array(full.prefix(a.count + 512 + 200_000)), to: dir + "/cut.tar")
        XCTAssertThrowsError(try ArchiveFixtures.pack(.tar(dir + "/cut.tar"), to: dir + "/cut.h5")) { error in
            XCTAssertTrue("\(error)".contains("000058-FULL.pth"), "\(error)")
        }
        XCTAssertEqual(try ArchiveReader(path: dir + "/cut.h5").sources.map(\.archIndex), [3])
        let kept = try ArchiveFixtures.pack(.tar(dir + "/cut.tar"), to: dir + "/cut2.h5") { $0.keepGoing = true }
        XCTAssertEqual(kept.filesPacked, 1)
        XCTAssertEqual(kept.problems.count, 1)
    }

    func testExistingNonArchiveIsNotOverwritten() throws {
        let out = ArchiveFixtures.tempDirectory() + "/x.h5"
        ArchiveFixtures.write(Array("precious".utf8), to: out)
        XCTAssertThrowsError(try ArchiveFixtures.pack(.directory(ArchiveFixtures.directory), to: out))
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), "precious")
    }
}
