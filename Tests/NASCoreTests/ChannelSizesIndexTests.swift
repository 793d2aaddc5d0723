import XCTest
import NASCore

/// The size space's canonical index (NATS-Bench's meta_archs order: itertools.product of the
/// channel choices, first stage most significant).
final class ChannelSizesIndexTests: XCTestCase {
    func testIndexOrderAndRoundTrip() throws {
        XCTAssertEqual(ChannelSizes(index: 0)?.description, "8:8:8:8:8")
        XCTAssertEqual(ChannelSizes(index: 1)?.description, "8:8:8:8:16")
        XCTAssertEqual(ChannelSizes(index: 8)?.description, "8:8:8:16:8")
        XCTAssertEqual(ChannelSizes(index: 11)?.description, "8:8:8:16:32", "the sample's architecture 11")
        XCTAssertEqual(ChannelSizes(index: 32_767)?.description, "64:64:64:64:64")
        XCTAssertNil(ChannelSizes(index: 32_768))
        XCTAssertNil(ChannelSizes(index: -1))
        for i in stride(from: 0, to: ChannelSizes.count, by: 97) {
            let sizes = try XCTUnwrap(ChannelSizes(index: i))
            XCTAssertEqual(sizes.index, i)
            XCTAssertEqual(ChannelSizes.index(of: sizes.description), i)
        }
        XCTAssertNil(ChannelSizes.index(of: "8:8:8:8:9"))
        XCTAssertNil(ChannelSizes.index(of: "08:8:8:8:8"), "exact strings only, as upstream")
    }

    func testSpaceListingsAndLookups() {
        let listing = SearchSpaceKind.size.listing()
        XCTAssertEqual(listing.split(separator: "\n").count, 32_768)
        XCTAssertTrue(listing.hasPrefix("8:8:8:8:8\n8:8:8:8:16\n8:8:8:8:24\n"))
        XCTAssertEqual(SearchSpaceKind.size.index(of: "64:64:64:64:64"), 32_767)
        XCTAssertEqual(SearchSpaceKind.topology.architectureString(at: 0),
                       "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|")
        XCTAssertNil(SearchSpaceKind.topology.index(of: "8:8:8:8:8"))
        XCTAssertEqual(SearchSpaceKind.topology.fullSchedule, .twoHundred)
        XCTAssertEqual(SearchSpaceKind.size.fullSchedule, .ninety)
    }
}
