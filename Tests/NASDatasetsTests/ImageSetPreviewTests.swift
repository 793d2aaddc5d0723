import Foundation
import XCTest
@testable import NASDatasets
import ImageCodecs
import ImageSet

/// `ImageSetPreview` (what `nasdata preview` calls) on a CIFAR file built from the fixtures.
final class ImageSetPreviewTests: XCTestCase {
    func testListsSetsAndWritesContactSheets() throws {
        let dir = NSTemporaryDirectory() + "nasdata-preview-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = dir + "/cifar.h5"
        _ = try CIFARBuilder.build(CIFARBuildOptions(cifar10: CIFARFixtures.path("cifar-10-binary.tar.gz"), splits: .none,
                                                     allowUnverified: true), output: data)
        let expected = try CIFARFixtures.expected()

        let listing = try ImageSetPreview.run(PreviewRequest(file: data))
        guard case .listing(_, let sets) = listing else { return XCTFail("\(listing)") }
        XCTAssertEqual(sets.map(\.name), ["cifar10/train", "cifar10/ori-test", "cifar10-valid/train", "cifar10-valid/x-valid", "cifar10-valid/ori-test"])
        XCTAssertEqual(sets.first { $0.name == "cifar10/ori-test" }?.count, expected.sets["cifar10"]?["ori-test"]?.indices.count)
        XCTAssertTrue(sets.allSatisfy { $0.height == 32 && $0.width == 32 })
        XCTAssertEqual(listing.lines.first, "image sets in \(data) (use --set NAME -o grid.png):")
        XCTAssertEqual(listing.lines.count, 1 + sets.count)

        var request = PreviewRequest(file: data)
        request.set = "cifar10/ori-test"
        request.output = dir + "/grid.png"
        request.start = 30
        request.columns = 5
        request.scale = 2
        let sheet = try ImageSetPreview.run(request)
        guard case let .sheet(_, _, start, count, width, height) = sheet else { return XCTFail("\(sheet)") }
        XCTAssertEqual(start, 30)
        XCTAssertEqual(count, 10, "the 10 images left after #30")
        let png = try ImageDecoder().decode(Array(try Data(contentsOf: URL(fileURLWithPath: request.output!))), path: request.output!)
        XCTAssertEqual([png.width, png.height], [width, height])
        XCTAssertGreaterThanOrEqual(width, 5 * 64)
        XCTAssertEqual(sheet.lines, ["wrote \(request.output!): 10 images of cifar10/ori-test (from #30), \(width)x\(height) pixels"])

        request.start = 40
        XCTAssertThrowsError(try ImageSetPreview.run(request)) {
            XCTAssertEqual($0 as? PreviewError, .startPastEnd(set: "cifar10/ori-test", count: 40, start: 40))
        }
    }
}
