import XCTest
import Tensors
@testable import HDF5

/// Reads a file h5py wrote with default settings (Tests/Fixtures/hdf5/h5py_default.h5,
/// made by Tools/fixtures/make_hdf5_fixture.py): every value must come back as written.
final class H5pyFixtureTests: XCTestCase {
    let path = repositoryRoot().appendingPathComponent("Tests/Fixtures/hdf5/h5py_default.h5").path

    func testRootAttributes() throws {
        let f = try File.open(path)
        XCTAssertEqual(try f.attribute("title"), .string("written by h5py"))
        XCTAssertEqual(try f.attribute("count"), .int(3))
        XCTAssertEqual(try f.attribute("ratio"), .double(0.75))
        XCTAssertEqual(try f.attribute("dims"), .ints([3, 32, 32]))
        XCTAssertEqual(try f.attribute("means"), .doubles([0.5, 0.25]))
        XCTAssertEqual(try f.attribute("names"), .strings(["cifar10", "cifar100"]))
        XCTAssertEqual(try f.attribute("fixed"), .string("fixed-bytes"))
        XCTAssertEqual(try f.attribute("uint_attr"), .int(65535))
    }

    func testNumericDatasets() throws {
        let n = try File.open(path).openGroup("numeric")
        XCTAssertEqual(try n.openDataset("uint8").shape, [3, 4])
        XCTAssertEqual(try n.openDataset("uint8").read(as: UInt8.self), (0..<12).map { UInt8($0 * 20) })
        XCTAssertEqual(try n.openDataset("int8").read(as: Int8.self), [-128, -1, 0, 127])
        XCTAssertEqual(try n.openDataset("int16").read(as: Int16.self), [-32768, 0, 32767])
        XCTAssertEqual(try n.openDataset("int32").read(as: Int32.self), (0..<24).map { Int32($0 - 12) * 1_000_003 })
        XCTAssertEqual(try n.openDataset("int32").attribute("unit"), .string("count"))
        XCTAssertEqual(try n.openDataset("int64").read(as: Int64.self), [Int64.min, -1, 0, 1 << 53 + 1, Int64.max])
        XCTAssertEqual(try n.openDataset("float16").dtype, .float16)
        XCTAssertEqual(try n.openDataset("float16").readTensor().floatValues(), [1, -2, 0.5, .infinity])
        XCTAssertEqual(try n.openDataset("float32").read(as: Float.self).map(\.bitPattern),
                       ([0.1, -1.5, 3.25, 1e-38, 3.4e38, -0.0] as [Float]).map(\.bitPattern))
        XCTAssertEqual(try n.openDataset("float64").read(as: Double.self), [Double.pi, -M_E, 1e-300, 1e300])
        XCTAssertEqual(try n.openDataset("bool").dtype, .bool)
        XCTAssertEqual(try n.openDataset("bool").readTensor().bytes, [1, 0, 1])
        XCTAssertEqual(try n.openDataset("scalar").shape, [])
        XCTAssertEqual(try n.openDataset("scalar").read(as: Double.self), [2.5])
    }

    func testChunkedStringsAndLinks() throws {
        let f = try File.open(path)
        let gz = try f.openDataset("chunked/gzip_shuffle")
        XCTAssertEqual(try gz.storageLayout().chunks, [16, 8])
        XCTAssertEqual(try gz.storageLayout().shuffle, true)
        XCTAssertEqual(try gz.storageLayout().deflate, 4)
        XCTAssertEqual(try gz.read(as: Float.self), (0..<320).map { Float($0) * 0.25 - 10 })
        XCTAssertEqual(try gz.read(as: Float.self, start: [39, 6], count: [1, 2]), [Float(318) * 0.25 - 10, Float(319) * 0.25 - 10])
        let growing = try f.openDataset("chunked/growing")
        XCTAssertEqual(growing.maxShape, [nil])
        XCTAssertEqual(try growing.read(as: Int64.self), Array(0..<10))
        XCTAssertEqual(try f.openDataset("strings/vlen").readStrings(), ["alpha", "", "ünïcödé", "with space "])
        XCTAssertEqual(try f.openDataset("strings/fixed").readStrings(), ["ab", "cde", ""])
        XCTAssertEqual(try f.openDataset("deep/er/group/leaf").read(as: Int32.self), [7])
        XCTAssertEqual(try f.kind(of: "soft"), .group)
        XCTAssertEqual(try f.openGroup("soft").memberNames().count, 10)
        XCTAssertEqual(try f.kind(of: "external"), .externalLink(file: "elsewhere.h5", path: "/data"))
        XCTAssertEqual(try f.memberNames(), ["chunked", "deep", "external", "numeric", "soft", "strings"])
    }
}
