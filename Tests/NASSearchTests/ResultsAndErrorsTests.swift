import FixtureSupport
import Foundation
import HDF5Schema
import NASBench
import NASCore
import NASDataIO
@testable import NASSearch
import XCTest

final class ResultsAndErrorsTests: XCTestCase {
    func testResultsFileRoundTripsThroughHDF5AndJSONAndConformsToItsSchema() throws {
        let bench = try SearchFixtures.simulator(.cifar10)
        let settings = SearchSettings(algorithm: .rea, dataset: .cifar10)
        let result = try SearchRunner.run(bench, settings: settings, seeds: [3, 4, 5], jobs: 2)
        XCTAssertEqual(result.runs.map(\.seed), [3, 4, 5])
        let h5 = SearchFixtures.scratch.appendingPathComponent("rea.h5").path
        let json = SearchFixtures.scratch.appendingPathComponent("rea.json").path
        try SearchResultFile.write(result, to: h5)
        try SearchResultFile.write(result, to: json)
        let library = SchemaLibrary(directory: Repository.root.appendingPathComponent("Schemas").path)
        let deviations = try SchemaChecker.check(file: h5, schema: try library.schema(named: SearchResultFile.schemaName))
        XCTAssertEqual(deviations.map { "\($0)" }, [])
        for path in [h5, json] {
            let back = try SearchResultFile.read(path)
            XCTAssertEqual(back.algorithm, .rea)
            XCTAssertEqual(back.dataset, .cifar10)
            XCTAssertEqual(back.timeBudget, 20_000)
            XCTAssertEqual(back.runs.map(\.seed), [3, 4, 5])
            XCTAssertEqual(back.runs.map(\.evaluations), result.runs.map(\.evaluations), path)
            XCTAssertEqual(back.runs.map(\.finalTestAccuracy), result.runs.map(\.finalTestAccuracy))
            XCTAssertEqual(back.archStrings, result.archStrings)
            XCTAssertEqual(back.testAccuracy, result.testAccuracy)
        }
        // Every run ends with its first evaluation past the budget, and the best-so-far trace is monotone in reward.
        for run in result.runs {
            XCTAssertGreaterThanOrEqual(run.evaluations.last!.totalTime, 20_000)
            XCTAssertLessThan(run.evaluations.dropLast().last!.totalTime, 20_000)
            XCTAssertEqual(run.evaluations.last!.bestIndex, run.bestIndex)
        }
        let table = SearchSummary.table([result])
        XCTAssertTrue(table.contains("| REA | cifar10 | 3 | "), table)
    }

    func testParallelRunsEqualSerialRuns() throws {
        let bench = try SearchFixtures.simulator(.cifar100)
        for algorithm in [SearchAlgorithm.reinforce, .bohb] {
            let settings = SearchSettings(algorithm: algorithm, dataset: .cifar100)
            let parallel = try SearchRunner.run(bench, settings: settings, seeds: [1, 2], jobs: 2)
            let serial = try SearchRunner.run(bench, settings: settings, seeds: [1, 2], jobs: 1)
            XCTAssertEqual(parallel.runs.map(\.evaluations), serial.runs.map(\.evaluations), "\(algorithm)")
        }
    }

    func testBOHBRunsHyperbandBracketsAndCutsItsTrajectoryAtTheBudget() throws {
        let bench = try SearchFixtures.simulator(.cifar10)
        var settings = SearchSettings(algorithm: .bohb, dataset: .cifar10)
        settings.bohb.nIterations = 6
        let run = try SearchRunner.runOne(bench, settings, seed: 1)
        // Brackets of 3 iterations: [9 @ 1.33, 3 @ 4, 1 @ 12], [3 @ 4, 1 @ 12], [3 @ 12] -> 20 evaluations.
        XCTAssertEqual(run.evaluations.count, 40)
        XCTAssertEqual(Array(run.evaluations.prefix(20).map(\.epochs)),
                       Array(repeating: 1, count: 9) + Array(repeating: 4, count: 3) + [12] + Array(repeating: 4, count: 3) + [12, 12, 12, 12])
        settings.bohb.nIterations = 300
        settings.timeBudget = 5_000
        let long = try SearchRunner.runOne(bench, settings, seed: 1)
        XCTAssertLessThan(long.counted, long.evaluations.count)
        XCTAssertLessThan(long.evaluations[long.counted - 1].totalTime - long.evaluations[long.counted - 1].cost, 5_000)
        XCTAssertGreaterThanOrEqual(long.evaluations[long.counted].totalTime - long.evaluations[long.counted].cost, 5_000)
    }

    func testBenchmarkWithoutTheProxyResultsIsOneClearError() throws {
        // NB201 v1.0 records the 12-epoch schedule for cifar10-valid only.
        let bench = try Benchmark(path: try convertedMini("meta-v1_0-mini.pth"))
        XCTAssertThrowsError(try SimulatedBenchmark(benchmark: bench, dataset: .cifar100)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("no hp-12 results for cifar100"), text)
            XCTAssertTrue(text.contains("--hp 200"), text)
        }
    }

    func testArchitectureWithoutResultsIsOneClearError() throws {
        // The v1.1 mini fixture evaluates 12 of the 15,625 cells: a random search soon draws another.
        let bench = try SimulatedBenchmark(benchmark: try Benchmark(path: try convertedMini("meta-v1_1-mini.pth")), dataset: .cifar10)
        let settings = SearchSettings(algorithm: .random, dataset: .cifar10)
        XCTAssertThrowsError(try SearchRunner.run(bench, settings: settings, seeds: [1])) { error in
            XCTAssertTrue("\(error)".contains("the benchmark has no runs for it"), "\(error)")
        }
    }

    func testBudgetTooSmallForOneEvaluationIsRefused() throws {
        let bench = try SearchFixtures.simulator(.cifar10)
        let settings = SearchSettings(algorithm: .rea, dataset: .cifar10, timeBudget: 1)
        XCTAssertThrowsError(try SearchRunner.run(bench, settings: settings, seeds: [1])) { error in
            XCTAssertTrue("\(error)".contains("below the cheapest evaluation"), "\(error)")
        }
    }

    func testFigureHasOneSeriesPerAlgorithmAndWritesSVGAndPNG() throws {
        let bench = try SearchFixtures.simulator(.cifar10)
        let results = try [SearchAlgorithm.random, .rea].map {
            try SearchRunner.run(bench, settings: SearchSettings(algorithm: $0, dataset: .cifar10), seeds: [1, 2, 3])
        }
        let figure = try SearchFigure.make(results)
        XCTAssertEqual(figure.series.map(\.label), ["RANDOM (3 runs)", "REA (3 runs)"])
        XCTAssertEqual(figure.times.count, 150)
        XCTAssertEqual(figure.times.last, 20_000)
        // At the last tick every run has finished: the mean is the mean of the runs' reported accuracies.
        let finalMean = results[1].runs.map(\.finalTestAccuracy).reduce(0, +) / 3
        XCTAssertEqual(figure.series[1].mean.last!, finalMean, accuracy: 1e-9)
        let stem = SearchFixtures.scratch.appendingPathComponent("figure").path
        try figure.write(stem: stem, scale: 1)
        let svg = try String(contentsOfFile: stem + ".svg", encoding: .utf8)
        XCTAssertTrue(svg.contains("Searching results on CIFAR-10"))
        XCTAssertTrue(svg.contains("REA (3 runs)"))
        let png = try Data(contentsOf: URL(fileURLWithPath: stem + ".png"))
        XCTAssertEqual(Array(png.prefix(8)), [137, 80, 78, 71, 13, 10, 26, 10])
    }

    private func convertedMini(_ name: String) throws -> String {
        let out = SearchFixtures.scratch.appendingPathComponent(name + ".h5").path
        if FileManager.default.fileExists(atPath: out) { return out }
        let pth = SearchFixtures.scratch.appendingPathComponent(name).path
        try SearchFixtures.gunzip(Repository.fixtures("nasbench").appendingPathComponent(name + ".gz").path)
            .write(to: URL(fileURLWithPath: pth))
        _ = try BenchmarkConverter.convert(metaFile: pth, to: out)
        return out
    }
}
