import NASBench
import NASCore
@testable import NASSearch
import XCTest

/// Random search and REA against upstream's own scripts (Tools/fixtures/upstream-search.py on nats_bench),
/// on the fixture benchmark, every data set and several seeds: the same architectures in the same order,
/// the same rewards, costs, running totals and best-so-far indexes, bit for bit, and the same reported accuracy.
final class ExactReplayTests: XCTestCase {
    func testRandomSearchAndREAReplayUpstreamDrawForDraw() throws {
        var checked = 0
        for block in try SearchFixtures.upstreamTraces() {
            let algorithm = SearchAlgorithm(rawValue: block["algorithm"] as! String)!
            let dataset = SearchDataset(rawValue: block["dataset"] as! String)!
            let budget = (block["time_budget"] as! NSNumber).doubleValue
            let bench = try SearchFixtures.simulator(dataset)
            let settings = SearchSettings(algorithm: algorithm, dataset: dataset, timeBudget: budget)
            for run in block["runs"] as! [[String: Any]] {
                let seed = (run["seed"] as! NSNumber).intValue
                let ours = try SearchRunner.runOne(bench, settings, seed: seed)
                let trace = run["trace"] as! [[NSNumber]]
                let what = "\(algorithm) \(dataset.name) seed \(seed)"
                XCTAssertEqual(ours.evaluations.count, trace.count, what)
                for (k, (e, row)) in zip(ours.evaluations, trace).enumerated() {
                    XCTAssertEqual(e.index, row[0].intValue, "\(what) evaluation \(k): architecture")
                    XCTAssertEqual(e.reward.bitPattern, row[1].doubleValue.bitPattern, "\(what) evaluation \(k): reward")
                    XCTAssertEqual(e.cost.bitPattern, row[2].doubleValue.bitPattern, "\(what) evaluation \(k): cost")
                    XCTAssertEqual(e.totalTime.bitPattern, row[3].doubleValue.bitPattern, "\(what) evaluation \(k): total time")
                    XCTAssertEqual(e.bestIndex, row[4].intValue, "\(what) evaluation \(k): best so far")
                    if e.index != row[0].intValue { break }
                }
                XCTAssertEqual(ours.bestIndex, (run["best_index"] as! NSNumber).intValue, what)
                XCTAssertEqual(ours.finalTestAccuracy, (run["test_accuracy"] as! NSNumber).doubleValue, what)
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 18, "random + REA x 3 data sets x 3 seeds")
    }

    func testPythonRandomHelpersMatchCPython() {
        // random.seed(5); [random.randint(0, 2) for _ in range(10)]; then choice over 5 letters
        var r = PythonRandom(seed: 5)
        XCTAssertEqual((0..<10).map { _ in r.randint(0, 2) }, [2, 1, 2, 1, 2, 2, 2, 2, 0, 1])
        var c = PythonRandom(seed: 5)
        _ = (0..<10).map { _ in c.randint(0, 2) }
        XCTAssertEqual((0..<10).map { _ in c.choice(["a", "b", "c", "d", "e"]) }, ["b", "a", "b", "a", "c", "d", "b", "d", "e", "a"])
        XCTAssertEqual((0..<3).map { _ in c.randint(1, 100_000) }, [75228, 32681, 1719])
    }

    func testSeedsRunConsecutivelyFromTheGivenOne() {
        XCTAssertEqual(SearchRunner.seeds(runs: 3, first: 7), [7, 8, 9])
        let drawn = SearchRunner.seeds(runs: 50, first: nil)
        XCTAssertEqual(drawn.count, 50)
        XCTAssertTrue(drawn.allSatisfy { (1...100_000).contains($0) })
    }
}
