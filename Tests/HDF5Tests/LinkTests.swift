import XCTest
@testable import HDF5

final class LinkTests: XCTestCase {
    func testExternalLinksAndMemberKinds() throws {
        let dir = TempDir()
        try File.writeAtomically(to: dir.file("target.h5")) { f in
            try f.createDataset("data/values", dtype: .int32, shape: [3]).write([Int32(7), 8, 9])
        }
        try File.writeAtomically(to: dir.file("main.h5")) { f in
            try f.createGroup("g")
            try f.createDataset("d", dtype: .uint8, shape: [1])
            // Relative file name: resolved against the linking file's directory.
            try f.createExternalLink("ext", file: "target.h5", path: "/data/values")
            try f.createExternalLink("broken", file: "missing.h5", path: "/x")
            try f.createSoftLink("soft", target: "/g")
        }
        let f = try File.open(dir.file("main.h5"))
        let members = try f.members()
        XCTAssertEqual(members.map(\.name), ["broken", "d", "ext", "g", "soft"])
        XCTAssertEqual(members.map(\.kind), [.externalLink(file: "missing.h5", path: "/x"), .dataset,
                                             .externalLink(file: "target.h5", path: "/data/values"), .group, .group])
        XCTAssertEqual(try f.openDataset("ext").read(as: Int32.self), [7, 8, 9])
        XCTAssertTrue(try f.exists("ext"))
        XCTAssertFalse(try f.exists("broken"))
        XCTAssertThrowsError(try f.openDataset("broken")) { XCTAssertEqual(($0 as? HDF5Error)?.kind, .objectNotFound) }
    }

    func testDanglingSoftLinkAndKindOfMissing() throws {
        let dir = TempDir()
        let f = try File.create(dir.file("soft.h5"))
        try f.createSoftLink("dangling", target: "/nowhere")
        XCTAssertEqual(try f.kind(of: "dangling"), .unresolvedLink)
        XCTAssertFalse(try f.exists("dangling"))
        XCTAssertNil(try f.kind(of: "missing"))
        XCTAssertNil(try f.kind(of: "missing/deeper"))
        XCTAssertEqual(try f.kind(of: "/"), .group)
    }
}
