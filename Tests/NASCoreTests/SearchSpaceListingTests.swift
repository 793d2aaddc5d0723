import Foundation
import XCTest
import NASCore

/// What `nasdata archs` prints: each listing format, and the lookup of one string.
final class SearchSpaceListingTests: XCTestCase {
    func testListingFormatsAgree() throws {
        for space in [SearchSpaceKind.topology, .size] {
            let plain = space.listing(.plain).split(separator: "\n").map(String.init)
            XCTAssertEqual(plain.count, space.count)
            let indexed = space.listing(.indexed).split(separator: "\n")
            XCTAssertEqual(indexed.count, space.count)
            for i in [0, 1, space.count - 1] {
                XCTAssertEqual(String(indexed[i]), "\(i)\t\(plain[i])")
                XCTAssertEqual(space.architectureString(at: i), plain[i])
            }
            let json = try JSONSerialization.jsonObject(with: Data(space.listing(.json).utf8)) as! [[String: Any]]
            XCTAssertEqual(json.count, space.count)
            XCTAssertEqual(json.last?["index"] as? Int, space.count - 1)
            XCTAssertEqual(json.last?["arch"] as? String, plain.last)
        }
        XCTAssertTrue(SearchSpaceKind.size.listing(.plain).hasPrefix("8:8:8:8:8\n8:8:8:8:16\n"))
    }

    func testLookup() throws {
        let arch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
        XCTAssertEqual(try SearchSpaceKind.topology.lookup(arch), 1)
        XCTAssertEqual(try SearchSpaceKind.size.lookup("8:16:24:32:40"), 668)
        XCTAssertEqual(SearchSpaceKind.lookupLine(index: 668, arch: "8:16:24:32:40", json: true), "{\"index\": 668, \"arch\": \"8:16:24:32:40\"}")
        XCTAssertEqual(SearchSpaceKind.lookupLine(index: 668, arch: "8:16:24:32:40", json: false), "668")
        XCTAssertThrowsError(try SearchSpaceKind.topology.lookup("garbage"))
        XCTAssertThrowsError(try SearchSpaceKind.size.lookup("8:16:24:32:41"))
        XCTAssertThrowsError(try SearchSpaceKind.size.lookup(arch))
    }
}
