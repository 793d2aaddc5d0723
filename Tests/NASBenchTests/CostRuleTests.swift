import XCTest
@testable import NASBench

/// The two upstream APIs' ways of making one FLOPs / params value of several seeds'.
final class CostRuleTests: XCTestCase {
    func combine(_ rule: CostRule, _ values: [Double], _ seeds: [Int]) throws -> Double {
        try rule.combine(values, seeds: seeds, quantity: "FLOPs", index: 7, dataset: "cifar10")
    }

    func testNAS201TakesTheMean() throws {
        XCTAssertEqual(try combine(.meanOverSeeds, [1, 2, 6], [777, 888, 999]), 3)
        XCTAssertEqual(try combine(.meanOverSeeds, [1, 2], [111, 777]), 1.5, "no seed 888 needed")
    }

    func testNATSTakesSeed888WhereTheSeedsDisagree() throws {
        XCTAssertEqual(try combine(.natsSeed888, [10, 12, 20], [777, 888, 999]), 12)
        XCTAssertEqual(try combine(.natsSeed888, [10, 12, 20], [888, 777, 999]), 10, "by position of 888 in the seed list")
        // Equal at five decimals: the plain mean (of values that differ below that).
        let close = [1.000001, 1.000004]
        XCTAssertEqual(try combine(.natsSeed888, close, [111, 777]), (close[0] + close[1]) / 2)
        XCTAssertEqual(try combine(.natsSeed888, [1.000005, 1.000014], [111, 777]), 1.0000095, accuracy: 1e-15,
                       "1.00001 both ('%.5f' rounds the binary value, as Python's f-format does)")
        XCTAssertEqual(try combine(.natsSeed888, [5], [111]), 5, "one seed: its value")
    }

    func testNATSWithoutSeed888IsAnErrorThatSaysSo() {
        XCTAssertThrowsError(try combine(.natsSeed888, [10, 12], [111, 777])) { error in
            XCTAssertEqual(error as? QueryError,
                           .inconsistentCosts(index: 7, dataset: "cifar10", quantity: "FLOPs", values: [10, 12], seeds: [111, 777]))
            XCTAssertEqual("\(error)", "architecture 7 on cifar10: the seeds' FLOPs differ (seed 111: 10.0, seed 777: 12.0) "
                           + "and there is no seed 888, whose value NATS-Bench's API takes then (upstream raises ValueError)")
        }
    }
}
