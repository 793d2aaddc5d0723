import FixtureSupport
import Foundation
import NASBench
import NASCore
@testable import NASSearch
import XCTest

/// The size space (NATS-Bench sss): upstream's draws for random architectures and mutations, the
/// space's defaults, and the simulated evaluation on the authors' real sss sample (Tests/Fixtures/nats/
/// NATS-sss-v1_0-50262-simple, 3 architectures) against what nats_bench's NATSsize answers. The search
/// over all 32,768 configurations against upstream's scripts is in the interop suite (test_search.py,
/// on Tests/Fixtures/search/search-sss.pickle.pbz2).
final class SizeSpaceTests: XCTestCase {
    func testRandomArchitectureAndMutationDrawAsUpstreamsSizeFunctions() {
        // random.seed(7); random_size_func then mutate_size_func four times (the first mutation redraws 56).
        var random = PythonRandom(seed: 7)
        let space = SearchSpaceKind.size
        var arch = space.randomChoices(&random)
        var strings = [space.string(of: arch)]
        for _ in 0..<4 {
            arch = space.mutate(arch, &random)
            strings.append(space.string(of: arch))
        }
        XCTAssertEqual(strings, ["48:24:56:8:16", "48:24:56:8:16", "48:24:8:8:16", "48:24:8:8:32", "16:24:8:8:32"])
        XCTAssertEqual(random.random(), 0.4336456836623859)
    }

    func testChoicesCodesAndStringsAgreeWithTheSpacesCanonicalOrder() {
        for index in [0, 2, 11, 284, 4_681, 32_767] {
            let string = ChannelSizes(index: index)!.description
            let choices = SearchSpaceKind.size.choices(of: string)!
            XCTAssertEqual(SearchSpaceKind.size.code(choices), index, string)
            XCTAssertEqual(SearchSpaceKind.size.string(of: choices), string)
        }
        for code in [0, 1, 777, 15_624] {
            let cell = Architecture(enumerationCode: code)!
            let choices = SearchSpaceKind.topology.choices(of: cell.description)!
            XCTAssertEqual(SearchSpaceKind.topology.code(choices), code)
            XCTAssertEqual(SearchSpaceKind.topology.string(of: choices), cell.description)
        }
        XCTAssertNil(SearchSpaceKind.size.choices(of: "8:8:8:8:9"))
        XCTAssertNil(SearchSpaceKind.size.choices(of: "08:8:8:8:8"))
        XCTAssertNil(SearchSpaceKind.topology.choices(of: "8:8:8:8:8"))
    }

    func testDefaultsFollowTheSpace() {
        XCTAssertEqual([SearchDataset.cifar10, .cifar100, .imageNet16].map { SearchSpaceKind.size.timeBudget($0) },
                       [20_000, 40_000, 60_000])
        XCTAssertEqual([SearchDataset.cifar10, .cifar100, .imageNet16].map { SearchSpaceKind.topology.timeBudget($0) },
                       [20_000, 40_000, 120_000])
        var settings = SearchSettings(algorithm: .rea, dataset: .imageNet16, space: .size)
        XCTAssertEqual(settings.timeBudget, 60_000)
        XCTAssertEqual(settings.finalSchedule, .ninety)
        XCTAssertEqual(settings.proxySchedule, .twelve)
        settings.space = .topology
        XCTAssertEqual(settings.timeBudget, 120_000)
        XCTAssertEqual(settings.finalSchedule, .twoHundred)
        settings.timeBudget = 5_000
        settings.space = .size
        XCTAssertEqual(settings.timeBudget, 5_000, "a given budget stays")
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var converted: String?

    /// The authors' sss sample converted to HDF5 (3 architectures: quick even in a debug build).
    static func sample() throws -> Benchmark {
        lock.lock(); defer { lock.unlock() }
        if converted == nil {
            let out = SearchFixtures.scratch.appendingPathComponent("sss-sample.h5").path
            try? FileManager.default.removeItem(atPath: out)
            let source = Repository.fixtures("nats").appendingPathComponent("NATS-sss-v1_0-50262-simple").path
            _ = try BenchmarkConverter.convertNATS(source: source, to: out)
            converted = out
        }
        return try Benchmark(path: converted!)
    }

    /// random.seed(3); api.reset_time(); simulate_train_eval(i, dataset, hp="12") for i in 0, 11, 284, 0, 11,
    /// then simulate_train_eval(284, dataset, iepoch=3, hp="12"); get_more_info(i, dataset, hp="90",
    /// is_random=False)["test-accuracy"] (nats_bench 1.8 NATSsize on the sample folder, fast mode).
    func testSimulatedEvaluationOnTheAuthorsSampleEqualsNATSBench() throws {
        let expected: [(SearchDataset, [(Int, Double, Double, Double)], (Double, Double, Double), [Double])] = [
            (.cifar10, [(0, 66.60400000732422, 43.79654908180237, 43.79654908180237),
                        (11, 72.93599998779297, 36.64230132102966, 80.43885040283203),
                        (284, 79.07600000732423, 41.62583088874817, 122.0646812915802),
                        (0, 66.60400000732422, 43.79654908180237, 165.86123037338257),
                        (11, 73.16400000488281, 36.64230132102966, 202.50353169441223)],
             (52.22399999267578, 14.851954698562622, 217.35548639297485), [79.79, 85.77, 89.51]),
            (.cifar100, [(0, 25.319999981689453, 62.000874757766724, 62.000874757766724),
                         (11, 40.73999996948242, 66.80711269378662, 128.80798745155334),
                         (284, 48.87999998779297, 73.92866325378418, 202.73665070533752),
                         (0, 25.319999981689453, 62.000874757766724, 264.73752546310425),
                         (11, 41.239999957275394, 66.80711269378662, 331.54463815689087)],
             (27.699999966430664, 24.91037940979004, 356.4550175666809),
             [32.299999987792965, 53.67999993286133, 62.70000004882812]),
            (.imageNet16, [(0, 13.866666669209797, 117.7577109336853, 117.7577109336853),
                           (11, 20.699999994913735, 134.6799283027649, 252.4376392364502),
                           (284, 27.099999959309894, 143.5110206604004, 395.9486598968506),
                           (0, 13.866666669209797, 117.7577109336853, 513.7063708305359),
                           (11, 20.73333330790202, 134.6799283027649, 648.3862991333008)],
             (15.833333300272624, 48.016958236694336, 696.4032573699951),
             [15.53333334350586, 25.4666666208903, 32.76666660054525]),
        ]
        let bench = try Self.sample()
        for (dataset, rows, atEpoch3, finals) in expected {
            let sim = try SimulatedBenchmark(benchmark: bench, dataset: dataset)
            XCTAssertEqual(sim.space, .size)
            XCTAssertEqual(sim.finalSchedule, .ninety)
            XCTAssertEqual(try sim.index(of: SearchSpaceKind.size.choices(of: "8:8:40:32:40")!), 284)
            var recorder = RunRecorder(bench: sim, seed: 3)
            for (index, reward, cost, total) in rows {
                let r = try recorder.evaluate(index)
                let e = recorder.evaluations.last!
                XCTAssertEqual(r.bitPattern, reward.bitPattern, "\(dataset) \(index) reward")
                XCTAssertEqual(e.cost.bitPattern, cost.bitPattern, "\(dataset) \(index) cost")
                XCTAssertEqual(e.totalTime.bitPattern, total.bitPattern, "\(dataset) \(index) total")
            }
            try recorder.evaluate(284, epoch: 3)
            let e = recorder.evaluations.last!
            XCTAssertEqual(e.reward.bitPattern, atEpoch3.0.bitPattern, "\(dataset) epoch 3 reward")
            XCTAssertEqual(e.cost.bitPattern, atEpoch3.1.bitPattern, "\(dataset) epoch 3 cost")
            XCTAssertEqual(e.totalTime.bitPattern, atEpoch3.2.bitPattern, "\(dataset) epoch 3 total")
            XCTAssertEqual(try [0, 11, 284].map(sim.finalTestAccuracy), finals, "\(dataset) hp-90 test accuracy")
        }
    }

    func testASearchOverConfigurationsTheSampleLacksSaysWhichOne() throws {
        let sim = try SimulatedBenchmark(benchmark: try Self.sample(), dataset: .cifar10)
        XCTAssertThrowsError(try SearchRunner.runOne(sim, SearchSettings(algorithm: .random, dataset: .cifar10), seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("cannot be simulated") || "\(error)".contains("has no runs"), "\(error)")
        }
    }
}
