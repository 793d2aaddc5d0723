import XCTest
import Tensors
@testable import HDF5

final class FileTests: XCTestCase {
    func testLibraryIsThreadSafe1_10() {
        XCTAssertTrue(HDF5Library.version.hasPrefix("1."))
        XCTAssertTrue(HDF5Library.isThreadSafe)
    }

    func testGroupsAndExists() throws {
        let dir = TempDir()
        let f = try File.create(dir.file("g.h5"))
        try f.createGroup("a/b/c")
        XCTAssertTrue(try f.exists("a"))
        XCTAssertTrue(try f.exists("a/b/c"))
        XCTAssertTrue(try f.exists("/a/b"))
        XCTAssertFalse(try f.exists("a/x/c"))
        XCTAssertFalse(try f.exists("nope"))
        let b = try f.openGroup("a/b")
        XCTAssertEqual(b.name, "/a/b")
        try b.createGroup("d")
        XCTAssertEqual(try b.memberNames(), ["c", "d"])
        XCTAssertEqual(try f.requireGroup("a/b").name, "/a/b")
        f.close()
        XCTAssertFalse(b.isOpen)
    }

    func testNumericRoundTripEveryDType() throws {
        let dir = TempDir()
        let path = dir.file("n.h5")
        do {
            let f = try File.create(path)
            try f.createDataset("u8", dtype: .uint8, shape: [4]).write([UInt8]([0, 1, 200, 255]))
            try f.createDataset("i8", dtype: .int8, shape: [2]).write([Int8]([-128, 127]))
            try f.createDataset("i16", dtype: .int16, shape: [2]).write([Int16]([-300, 300]))
            try f.createDataset("i32", dtype: .int32, shape: [2, 2]).write([Int32]([1, -2, 3, Int32.max]))
            try f.createDataset("i64", dtype: .int64, shape: [3]).write([Int64]([Int64.min, 0, Int64.max]))
            try f.createDataset("f32", dtype: .float32, shape: [2, 3]).write([Float]([0.5, -1, 3.25, .infinity, 1e-30, 7]))
            try f.createDataset("f64", dtype: .float64, shape: [1, 1, 2]).write([Double]([Double.pi, -0.0]))
            let half = Tensor(dtype: .float16, shape: [2], bytes: [0x00, 0x3C, 0x00, 0xC0])  // 1.0, -2.0
            try f.createDataset("f16", tensor: half)
            try f.createDataset("b", tensor: Tensor(dtype: .bool, shape: [3], bytes: [1, 0, 1]))
            f.close()
        }
        let f = try File.open(path)
        XCTAssertEqual(try f.openDataset("u8").read(as: UInt8.self), [0, 1, 200, 255])
        XCTAssertEqual(try f.openDataset("i8").read(as: Int8.self), [-128, 127])
        XCTAssertEqual(try f.openDataset("i16").read(as: Int16.self), [-300, 300])
        let i32 = try f.openDataset("i32")
        XCTAssertEqual(i32.shape, [2, 2])
        XCTAssertEqual(i32.dtype, .int32)
        XCTAssertEqual(try i32.read(as: Int32.self), [1, -2, 3, Int32.max])
        XCTAssertEqual(try f.openDataset("i64").read(as: Int64.self), [Int64.min, 0, Int64.max])
        XCTAssertEqual(try f.openDataset("f32").read(as: Float.self), [0.5, -1, 3.25, .infinity, 1e-30, 7])
        XCTAssertEqual(try f.openDataset("f64").readTensor().shape, [1, 1, 2])
        XCTAssertEqual(try f.openDataset("f64").read(as: Double.self), [Double.pi, -0.0])
        XCTAssertEqual(try f.openDataset("f16").readTensor().floatValues(), [1, -2])
        XCTAssertEqual(try f.openDataset("b").readTensor().bytes, [1, 0, 1])
        XCTAssertEqual(try f.openDataset("b").dtype, .bool)
        // HDF5 converts on read, as h5py's astype does.
        XCTAssertEqual(try f.openDataset("i32").read(as: Double.self), [1, -2, 3, Double(Int32.max)])
    }

    func testHyperslabChunkedCompressedExtensible() throws {
        let dir = TempDir()
        let f = try File.create(dir.file("h.h5"))
        let ds = try f.createDataset("x", dtype: .float32, shape: [0, 3], maxShape: [nil, 3], chunks: [4, 3],
                                     shuffle: true, deflate: 4)
        XCTAssertEqual(ds.maxShape, [nil, 3])
        for batch in 0..<5 {
            try ds.extend(firstDimensionTo: (batch + 1) * 2)
            let values = (0..<6).map { Float(batch * 6 + $0) }
            try ds.write(values, start: [batch * 2, 0], count: [2, 3])
        }
        XCTAssertEqual(ds.shape, [10, 3])
        XCTAssertEqual(try ds.read(as: Float.self), (0..<30).map(Float.init))
        XCTAssertEqual(try ds.read(as: Float.self, start: [3, 1], count: [2, 2]), [10, 11, 13, 14])
        let t = try ds.readTensor(start: [9, 0], count: [1, 3])
        XCTAssertEqual(t.shape, [1, 3])
        XCTAssertEqual(t.scalars(as: Float.self), [27, 28, 29])
        try ds.writeTensor(Tensor(shape: [1, 3], scalars: [Float](repeating: -1, count: 3)), start: [0, 0])
        XCTAssertEqual(try ds.read(as: Float.self, start: [0, 0], count: [1, 3]), [-1, -1, -1])
        XCTAssertThrowsError(try ds.read(as: Float.self, start: [9, 0], count: [2, 3])) { error in
            XCTAssertEqual((error as? HDF5Error)?.kind, .shapeMismatch)
        }
        XCTAssertThrowsError(try ds.write([Float](repeating: 0, count: 5))) { error in
            XCTAssertEqual((error as? HDF5Error)?.kind, .shapeMismatch)
        }
    }

    func testStringsAndAttributes() throws {
        let dir = TempDir()
        let path = dir.file("s.h5")
        do {
            let f = try File.create(path)
            try f.setAttribute("nasdata_schema", "example")
            try f.setAttribute("nasdata_schema_version", 1)
            let ds = try f.createStringDataset("names", ["cifar10", "ImageNet16-120", "", "ünïcödé"])
            try ds.setAttribute("scale", .double(0.25))
            try ds.setAttribute("dims", .ints([3, 32, 32]))
            try ds.setAttribute("means", .doubles([0.5, 0.25]))
            try ds.setAttribute("labels", .strings(["a", "b"]))
            try ds.setAttribute("scale", .double(0.5))  // replaces
            let g = try f.createGroup("g")
            try g.setAttribute("n", .int(-7))
            let grow = try f.createStringDataset("grow", ["a"], extensible: true)
            try grow.extend(firstDimensionTo: 3)
            try grow.writeStrings(["b", "c"], start: 1)
            f.close()
        }
        let f = try File.open(path)
        XCTAssertEqual(try f.attribute("nasdata_schema"), .string("example"))
        XCTAssertEqual(try f.attribute("nasdata_schema_version"), .int(1))
        XCTAssertNil(try f.attribute("missing"))
        let ds = try f.openDataset("names")
        XCTAssertEqual(ds.elementType, .string)
        XCTAssertEqual(try ds.readStrings(), ["cifar10", "ImageNet16-120", "", "ünïcödé"])
        XCTAssertEqual(try ds.readStrings(start: 1, count: 2), ["ImageNet16-120", ""])
        XCTAssertEqual(try ds.attribute("scale"), .double(0.5))
        XCTAssertEqual(try ds.attribute("dims"), .ints([3, 32, 32]))
        XCTAssertEqual(try ds.attribute("means"), .doubles([0.5, 0.25]))
        XCTAssertEqual(try ds.attribute("labels"), .strings(["a", "b"]))
        XCTAssertEqual(try ds.attributeNames(), ["dims", "labels", "means", "scale"])
        XCTAssertEqual(try f.openGroup("g").attribute("n")?.intValue, -7)
        XCTAssertEqual(try f.openDataset("grow").readStrings(), ["a", "b", "c"])
        XCTAssertThrowsError(try ds.read(as: Float.self)) { XCTAssertEqual(($0 as? HDF5Error)?.kind, .typeMismatch) }
    }

    func testWriteAtomicallyLeavesNothingOnError() throws {
        let dir = TempDir()
        let path = dir.file("atomic.h5")
        struct Boom: Error {}
        XCTAssertThrowsError(try File.writeAtomically(to: path) { f in
            try f.createDataset("x", dtype: .int32, shape: [1]).write([Int32(1)])
            throw Boom()
        })
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
        try File.writeAtomically(to: path) { f in
            try f.createDataset("x", dtype: .int32, shape: [1]).write([Int32(42)])
        }
        XCTAssertEqual(try File.open(path).openDataset("x").read(as: Int32.self), [42])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["atomic.h5"])
    }

    func testDatasetOutlivesFileValue() throws {
        let dir = TempDir()
        let path = dir.file("keep.h5")
        try File.writeAtomically(to: path) { try $0.createDataset("x", dtype: .int64, shape: [2]).write([Int64(5), 6]) }
        let ds = try File.open(path).openDataset("x")
        XCTAssertEqual(try ds.read(as: Int64.self), [5, 6])
    }

    func testModesAndOverwrite() throws {
        let dir = TempDir()
        let path = dir.file("m.h5")
        try File.create(path).createDataset("x", dtype: .int32, shape: [2]).write([Int32(1), 2])
        XCTAssertThrowsError(try File.create(path, overwrite: false)) { XCTAssertTrue("\($0)".contains("exists already")) }
        do {
            let rw = try File.open(path, mode: .readWrite)
            try rw.openDataset("x").write([Int32(3), 4])
            try rw.createGroup("added")
            rw.close()
        }
        let ro = try File.open(path)
        XCTAssertEqual(try ro.openDataset("x").read(as: Int32.self), [3, 4])
        XCTAssertTrue(try ro.exists("added"))
        XCTAssertThrowsError(try ro.openDataset("x").write([Int32(5), 6]))
        ro.close()
        XCTAssertThrowsError(try ro.memberNames()) { XCTAssertTrue("\($0)".contains("closed")) }
    }
}
