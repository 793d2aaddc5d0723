import XCTest
@testable import NASBench

/// `'set@epoch'` keys of `eval_acc1es` / `eval_losses` / `eval_times`, parsed on their bytes.
final class EvalKeyTests: XCTestCase {
    func testSplitsKnownAndNewNames() {
        let split = DecodeContext.splitEvalKey
        XCTAssertTrue(split("x-valid@12", [])! == (.new("x-valid"), 12))
        XCTAssertTrue(split("x-valid@199", ["ori-test", "x-valid"])! == (.index(1), 199))
        XCTAssertTrue(split("x-valid@0", ["x-valid-2"])! == (.new("x-valid"), 0), "a longer known name is not a match")
        XCTAssertTrue(split("a@b@3", [])! == (.new("a@b"), 3), "the last @ separates the epoch")
        XCTAssertTrue(split("@5", [])! == (.new(""), 5))
        XCTAssertTrue(split("é-set@7", ["é-set"])! == (.index(0), 7))
        for bad in ["x-valid@", "x-valid", "x@1a", "x@1234567890", ""] {
            XCTAssertNil(split(bad, []), bad)
        }
    }
}
