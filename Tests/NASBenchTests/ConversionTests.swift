import Foundation
import HDF5
import HDF5Schema
import Pickle
import TorchFormats
import XCTest
@testable import NASBench
import NASCore

final class ConversionTests: XCTestCase {
    /// Converts every fixture, checks the layout against the schema, and compares every
    /// ArchResults read back from HDF5 with the one decoded straight from the pickle, bit for bit.
    func testRoundTripIsExactAndMatchesSchema() throws {
        let schema = try SchemaLibrary(directory: FixturePaths.repoRoot.appendingPathComponent("Schemas").path)
            .schema(named: BenchmarkLayout.schemaName, version: Int(BenchmarkLayout.schemaVersion))
        for name in BenchmarkFixtures.metaFiles {
            let source = try BenchmarkFixtures.path(name)
            let output = BenchmarkFixtures.temporaryPath(name + ".h5")
            let summary = try BenchmarkConverter.convert(metaFile: source, to: output)
            XCTAssertEqual(summary.metaArchs, 15625)
            XCTAssertEqual(summary.sourceFormat, name.contains("zip") ? "zip" : "legacy")
            XCTAssertEqual(try SchemaChecker.check(file: output, schema: schema).map(\.description), [], name)

            let tree = try TorchCheckpoint.load(path: source)
            let bench = try Benchmark(path: output)
            XCTAssertEqual(try bench.metaArchs(), tree["meta_archs"].list!.map { $0.string! })
            XCTAssertEqual(try bench.evaluatedIndexes(), tree["evaluated_indexes"].list!.map { $0.int! }.sorted())
            XCTAssertEqual(bench.info("source_layout"), name.contains("v1_0") ? "v1.0" : "v1.1")
            var compared = 0
            for (key, value) in tree["arch2infos"].dictItems! {
                for schedule in Schedule.nasBench201 {
                    let expected = try ArchResults(pickle: value[.string(schedule.fileKey)], file: source,
                                                   location: "arch2infos[\(key.int!)]")
                    let actual = try bench.results(index: key.int!, schedule: schedule)
                    XCTAssertEqual(actual, expected, "\(name) arch \(key.int!) hp \(schedule.rawValue)")
                    compared += expected.results.count
                }
            }
            XCTAssertGreaterThan(compared, 10)
        }
    }

    func testGapsOfOldFormatTrialsSurvive() throws {
        let output = BenchmarkFixtures.temporaryPath("gaps.h5")
        _ = try BenchmarkConverter.convert(metaFile: try BenchmarkFixtures.path("meta-v1_0-mini.pth"), to: output)
        let bench = try Benchmark(path: output)
        let index = try bench.evaluatedIndexes()[0]
        let run = try bench.results(index: index, schedule: .twoHundred)
        let cifar100 = try XCTUnwrap(run.results.first { $0.key.dataset == "cifar100" }?.value)
        XCTAssertNil(cifar100.trainAcc5)
        XCTAssertNil(cifar100.trainTimes)
        XCTAssertEqual(cifar100.seed, .string(String(format: "%04d", run.seeds(of: "cifar100")![0])))
        XCTAssertNil(cifar100.evalAcc1["x-valid"]![0])
        XCTAssertNotNil(cifar100.evalAcc1["x-valid"]![199])
        XCTAssertTrue(cifar100.evalAcc1["ori-test"]!.isComplete)
        // Upstream: x-valid at epoch 100 of an old-format cifar100 trial is a KeyError.
        XCTAssertThrowsError(try run.metric(dataset: "cifar100", set: "x-valid", epoch: 100))
        XCTAssertNoThrow(try run.metric(dataset: "cifar100", set: "ori-test", epoch: 100))
    }

    func testMalformedInputNamesFileAndPlace() throws {
        let bad = BenchmarkFixtures.temporaryPath("not-a-meta.pth")
        try Data([0x80, 0x02, 0x4B, 0x07, 0x2E]).write(to: URL(fileURLWithPath: bad))  // pickle of int 7
        let output = BenchmarkFixtures.temporaryPath("bad.h5")
        XCTAssertThrowsError(try BenchmarkConverter.convert(metaFile: bad, to: output)) { error in
            XCTAssertTrue("\(error)".contains("not-a-meta.pth"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "no half-written output")
    }
}
