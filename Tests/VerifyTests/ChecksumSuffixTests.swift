import XCTest
@testable import Verify

final class ChecksumSuffixTests: XCTestCase {
    func testRecognisedNames() {
        XCTAssertEqual(ChecksumSuffix.parse(fileName: "NAS-Bench-201-v1_0-e61699.pth"),
                       ChecksumSuffix(family: .nasBench201, suffix: "e61699"))
        XCTAssertEqual(ChecksumSuffix.parse(fileName: "NAS-Bench-102-v1_0-e61699.pth"),
                       ChecksumSuffix(family: .nasBench102, suffix: "e61699"))
        XCTAssertEqual(ChecksumSuffix.parse(fileName: "NAS-Bench-201-v1_1-096897.pth"),
                       ChecksumSuffix(family: .nasBench201, suffix: "096897"))
        XCTAssertEqual(ChecksumSuffix.parse(fileName: "NATS-tss-v1_0-3ffb9.pickle.pbz2"),
                       ChecksumSuffix(family: .natsBench, suffix: "3ffb9"))
        XCTAssertEqual(ChecksumSuffix.parse(fileName: "NATS-sss-v1_0-50262.pickle.pbz2")?.suffix, "50262")
        XCTAssertEqual(ChecksumSuffix.parse(fileName: "NAS-Bench-201-v1_0-E61699.pth")?.suffix, "e61699")
    }

    func testRejectedNames() {
        for name in ["NAS-Bench-201-v1_0-e6169.pth", "NAS-Bench-201-v1_0-e61699.pt", "NAS-Bench-301-v1_0-e61699.pth",
                     "NAS-Bench-201-v1_0-e6169g.pth", "NAS-Bench-201-e61699.pth", "NATS-tss-v1_0-3ffb9",
                     "NATS-tss-v1_0-3ffb98.pickle.pbz2", "NATS-xss-v1_0-3ffb9.pickle.pbz2", "000001-FULL.pth"] {
            XCTAssertNil(ChecksumSuffix.parse(fileName: name), name)
        }
    }

    func testRuleTextSaysWhichRuleAndThatNB201IsInferred() {
        XCTAssertTrue(ChecksumSuffix(family: .nasBench201, suffix: "e61699").rule.contains("last 6 hex of md5"))
        XCTAssertTrue(ChecksumSuffix(family: .nasBench201, suffix: "e61699").rule.contains("inferred"))
        XCTAssertTrue(ChecksumSuffix(family: .natsBench, suffix: "3ffb9").rule.contains("last 5 hex of md5"))
        XCTAssertFalse(ChecksumSuffix(family: .natsBench, suffix: "3ffb9").rule.contains("inferred"))
    }
}
