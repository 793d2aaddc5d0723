import Foundation
import XCTest
@testable import HDF5

/// Item 8: bad input gives a clear error naming the file and object, never a crash.
final class BadInputTests: XCTestCase {
    func testMissingFile() {
        XCTAssertThrowsError(try File.open("/nonexistent/dir/x.h5")) { error in
            let e = error as? HDF5Error
            XCTAssertEqual(e?.kind, .fileNotFound)
            XCTAssertTrue("\(error)".contains("/nonexistent/dir/x.h5"))
        }
    }

    func testNonHDF5File() throws {
        let dir = TempDir()
        let path = dir.file("text.h5")
        try "just some text\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try File.open(path)) { error in
            XCTAssertEqual((error as? HDF5Error)?.kind, .notHDF5)
            XCTAssertTrue("\(error)".contains(path))
        }
        XCTAssertTrue(FileManager.default.createFile(atPath: dir.file("empty.h5"), contents: Data()))
        XCTAssertThrowsError(try File.open(dir.file("empty.h5"))) { XCTAssertEqual(($0 as? HDF5Error)?.kind, .notHDF5) }
    }

    func testTruncatedFile() throws {
        let dir = TempDir()
        let path = dir.file("full.h5")
        try File.writeAtomically(to: path) { f in
            try f.createDataset("x", dtype: .float64, shape: [1000]).write((0..<1000).map(Double.init))
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for keep in [bytes.count / 2, 1200, 100] {
            let cut = dir.file("cut-\(keep).h5")
            try bytes.prefix(keep).write(to: URL(fileURLWithPath: cut))
            XCTAssertThrowsError(try File.open(cut).openDataset("x").read(as: Double.self), "kept \(keep) bytes") { error in
                XCTAssertTrue("\(error)".contains(cut))
                XCTAssertEqual((error as? HDF5Error)?.kind, .truncated, "\(error)")
            }
        }
    }

    func testMissingObjectsAndWrongKinds() throws {
        let dir = TempDir()
        let path = dir.file("m.h5")
        try File.writeAtomically(to: path) { f in
            try f.createGroup("g")
            try f.createDataset("g/d", dtype: .int32, shape: [1])
        }
        let f = try File.open(path)
        XCTAssertThrowsError(try f.openDataset("g/missing")) { error in
            let e = error as? HDF5Error
            XCTAssertEqual(e?.kind, .objectNotFound)
            XCTAssertEqual(e?.object, "/g/missing")
            XCTAssertTrue("\(error)".contains(path) && "\(error)".contains("/g/missing"))
        }
        XCTAssertThrowsError(try f.openGroup("nope/deeper")) { XCTAssertEqual(($0 as? HDF5Error)?.kind, .objectNotFound) }
        XCTAssertThrowsError(try f.openDataset("g")) { XCTAssertEqual(($0 as? HDF5Error)?.kind, .wrongKind) }
        XCTAssertThrowsError(try f.openGroup("g/d")) { XCTAssertEqual(($0 as? HDF5Error)?.kind, .wrongKind) }
    }

    func testLibraryFailuresCarryTheErrorStack() throws {
        let dir = TempDir()
        let f = try File.create(dir.file("e.h5"))
        try f.createDataset("x", dtype: .int32, shape: [2])
        XCTAssertThrowsError(try f.createDataset("x", dtype: .int32, shape: [2])) { error in
            let e = error as? HDF5Error
            XCTAssertFalse(e?.stack.isEmpty ?? true, "no HDF5 stack in \(error)")
            XCTAssertTrue(e?.message.contains("exists already") ?? false, "\(error)")
        }
        let ro = dir.file("ro.h5")
        try File.writeAtomically(to: ro) { _ in }
        let readOnly = try File.open(ro)
        XCTAssertThrowsError(try readOnly.createGroup("x")) { error in
            XCTAssertFalse((error as? HDF5Error)?.stack.isEmpty ?? true)
        }
    }
}
