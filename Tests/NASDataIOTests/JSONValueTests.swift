import XCTest
import NASDataIO

final class JSONValueTests: XCTestCase {
    func testNumbersStringsAndNesting() {
        let v = JSONValue.object([("a", .int(-3)), ("b", .double(3)), ("c", .float(0.1)), ("d", .string("q\"\n")),
                                  ("e", .array([.null, .bool(true)]))])
        XCTAssertEqual(v.encoded(), #"{"a": -3, "b": 3.0, "c": 0.1, "d": "q\"\n", "e": [null, true]}"#)
        XCTAssertEqual(v.description, v.encoded(), "finite values read the same in both forms")
    }

    func testNonFiniteSpellings() {
        let v = JSONValue.array([.double(.nan), .double(.infinity), .float(-.infinity)])
        XCTAssertEqual(v.encoded(nonFinite: .pythonLiteral), "[NaN, Infinity, -Infinity]")
        XCTAssertEqual(v.description, #"["nan", "inf", "-inf"]"#)
    }
}
