import XCTest
@testable import HDF5

final class SWMRTests: XCTestCase {
    /// A writer appends in SWMR mode while a reader opened with `.swmrRead` sees the
    /// growth after `refresh()`.
    func testSWMRReaderSeesAppends() throws {
        let dir = TempDir()
        let path = dir.file("swmr.h5")
        let writer = try File.create(path, format: .swmr)
        let wds = try writer.createDataset("x", dtype: .int64, shape: [0], maxShape: [nil], chunks: [16])
        try writer.setAttribute("nasdata_schema", "example")
        try writer.startSWMRWrite()
        try wds.extend(firstDimensionTo: 4)
        try wds.write([Int64(1), 2, 3, 4])
        try writer.flush()

        let reader = try File.open(path, mode: .swmrRead)
        let rds = try reader.openDataset("x")
        XCTAssertEqual(try rds.read(as: Int64.self), [1, 2, 3, 4])

        try wds.extend(firstDimensionTo: 6)
        try wds.write([Int64(5), 6], start: [4], count: [2])
        try writer.flush()
        try rds.refresh()
        XCTAssertEqual(rds.shape, [6])
        XCTAssertEqual(try rds.read(as: Int64.self), [1, 2, 3, 4, 5, 6])
        reader.close()
        writer.close()
        // Once closed cleanly, the file opens normally.
        XCTAssertEqual(try File.open(path).openDataset("x").read(as: Int64.self).count, 6)
    }
}
