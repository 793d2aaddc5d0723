import XCTest
@testable import NASCore
import NASCore

final class ArchitectureTests: XCTestCase {
    let sample = "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|"

    func testRoundTripsExactly() throws {
        let arch = try Architecture(sample)
        XCTAssertEqual(arch.description, sample)
        XCTAssertEqual(arch.operations, [.conv3x3, .none, .skipConnect, .avgPool3x3, .conv1x1, .none])
        XCTAssertEqual(arch.conv3x3Count, 1)
        XCTAssertEqual(arch.conv1x1Count, 1)
        XCTAssertEqual(arch.operation(to: 3, from: 1), .conv1x1)
        XCTAssertEqual(Architecture(enumerationCode: arch.enumerationCode), arch)
    }

    func testOperationOrderIsUpstreams() {
        XCTAssertEqual(Operation.allCases.map(\.name),
                       ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"])
    }

    private func parseError(_ s: String) -> ArchitectureParseError? {
        do { _ = try Architecture(s); return nil } catch let e as ArchitectureParseError { return e } catch { return nil }
    }

    func testUnknownOperationNamesTokenAndPosition() throws {
        let bad = "|nor_conv_3x3~0|+|none~0|conv_5x5~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|"
        let e = try XCTUnwrap(parseError(bad))
        XCTAssertEqual(e.token, "conv_5x5~1")
        XCTAssertEqual(e.position, 25)
        XCTAssertTrue(e.description.contains("unknown operation 'conv_5x5'"), e.description)
    }

    func testWrongInputIndex() throws {
        let e = try XCTUnwrap(parseError("|nor_conv_3x3~0|+|none~0|skip_connect~2|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|"))
        XCTAssertEqual(e.token, "skip_connect~2")
        XCTAssertEqual(e.position, 25 + "skip_connect~".count)
    }

    func testStructuralErrors() throws {
        XCTAssertTrue(try XCTUnwrap(parseError("|nor_conv_3x3~0|+|none~0|skip_connect~1|")).reason.contains("3 nodes"))
        XCTAssertTrue(try XCTUnwrap(parseError("|none~0|+|none~0|+|none~0|none~1|none~2|")).reason.contains("2 input"))
        XCTAssertTrue(try XCTUnwrap(parseError("none~0|+|none~0|none~1|+|none~0|none~1|none~2|")).reason.contains("start with '|'"))
        XCTAssertTrue(try XCTUnwrap(parseError("|none0|+|none~0|none~1|+|none~0|none~1|none~2|")).reason.contains("operation~input"))
        XCTAssertNotNil(parseError(""))
        XCTAssertNotNil(parseError(sample + " "))
    }

    func testIsomorphismCanonicalForm() throws {
        // Node 1 and node 2 swapped roles: same function.
        let a = try Architecture("|nor_conv_3x3~0|+|nor_conv_1x1~0|none~1|+|none~0|nor_conv_1x1~1|nor_conv_3x3~2|")
        let b = try Architecture("|nor_conv_1x1~0|+|nor_conv_3x3~0|none~1|+|none~0|nor_conv_3x3~1|nor_conv_1x1~2|")
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(a.isomorphismCanonicalForm, b.isomorphismCanonicalForm)
        // A skip in front of a conv is the conv of the input.
        let c = try Architecture("|skip_connect~0|+|none~0|none~1|+|none~0|nor_conv_3x3~1|none~2|")
        let d = try Architecture("|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|")
        XCTAssertEqual(c.isomorphismCanonicalForm, "c3(x)")
        XCTAssertEqual(c.isomorphismCanonicalForm, d.isomorphismCanonicalForm)
        // Different functions differ.
        XCTAssertNotEqual(a.isomorphismCanonicalForm, c.isomorphismCanonicalForm)
        // All-none output is zero.
        XCTAssertEqual(try Architecture("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|").isomorphismCanonicalForm, "0")
    }
}
