import FixtureSupport
import Foundation
import HDF5Schema
import NASCore
import Pickle
import XCTest
@testable import NASBench

/// convert-benchmark on NATS-Bench (Tests/Fixtures/nats): every form of both spaces becomes an
/// HDF5 benchmark (schema v2) whose results equal, bit for bit, the ArchResults decoded straight
/// from the authors' files, seeds in the files' order, hp groups named as the files key them.
final class NATSConversionTests: XCTestCase {
    static let nats = Repository.fixtures("nats")
    static func path(_ relative: String) -> String { nats.appendingPathComponent(relative).path }

    func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nats-conv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func testEveryFormOfBothSpacesRoundTrips() throws {
        let dir = try tempDir()
        let schema = try SchemaLibrary(directory: Repository.root.appendingPathComponent("Schemas").path)
            .schema(named: BenchmarkLayout.schemaName, version: Int(BenchmarkLayout.schemaVersion))
        for (base, space, hps) in [("NATS-tss-v1_0-3ffb9", SearchSpaceKind.topology, ["12", "200"]),
                                   ("NATS-sss-v1_0-50262", SearchSpaceKind.size, ["01", "12", "90"])] {
            // what the authors' per-architecture files hold, decoded directly
            var expected: [String: ArchResults] = [:]
            _ = try NATSSource(path: Self.path("\(base)-simple")).forEach { item in
                expected["\(item.index)/\(item.hp)"] = try ArchResults(pickle: item.results, file: item.file, location: item.location)
            }
            XCTAssertEqual(expected.count, 3 * hps.count)
            for source in ["generated/\(base).pickle.pbz2", "\(base)-simple", "generated/\(base)-simple.tar"] {
                let out = dir.appendingPathComponent("\(space.rawValue)-\(source.split(separator: "/").last!).h5").path
                let summary = try BenchmarkConverter.convertNATS(source: Self.path(source), to: out)
                XCTAssertEqual(summary.metaArchs, space.count)
                XCTAssertEqual(summary.evaluated, 3)
                XCTAssertEqual(try SchemaChecker.check(file: out, schema: schema).map(\.description), [], out)
                let bench = try Benchmark(path: out)
                XCTAssertEqual(bench.searchSpace, space)
                XCTAssertEqual(bench.count, space.count)
                XCTAssertEqual(try bench.scheduleKeys(), hps)
                XCTAssertEqual(try bench.evaluatedIndexes(), [0, 11, 284])
                for (key, want) in expected {
                    let parts = key.split(separator: "/")
                    let got = try bench.results(index: Int(parts[0])!, schedule: Schedule(rawValue: String(parts[1]))!)
                    XCTAssertTrue(got == want, "\(source) \(key)")
                    XCTAssertEqual(try bench.architecture(at: want.archIndex), want.archString)
                    XCTAssertEqual(try bench.index(of: want.archString), want.archIndex)
                }
            }
        }
        // seeds in the file's own order, and NATS's seed 111
        let bench = try Benchmark(path: dir.appendingPathComponent("tss-NATS-tss-v1_0-3ffb9-simple.h5").path)
        XCTAssertEqual(try bench.results(index: 11, schedule: .twelve).seeds(of: "cifar10-valid"), [111, 777])
        let size = try Benchmark(path: dir.appendingPathComponent("sss-NATS-sss-v1_0-50262-simple.h5").path)
        let config = try size.run(index: 11, dataset: "cifar10", schedule: .ninety, seed: 777).archConfig
        XCTAssertEqual(config.name, "infer.shape.tiny")
        XCTAssertEqual(config.channels, "8:8:8:16:32")
        XCTAssertEqual(config.genotype, "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
    }

    /// A damaged member stops the conversion with one error naming it, and leaves no output.
    func testDamagedSourceLeavesNoOutput() throws {
        let dir = try tempDir()
        let folder = dir.appendingPathComponent("NATS-sss-v1_0-50262-simple")
        try FileManager.default.copyItem(atPath: Self.path("NATS-sss-v1_0-50262-simple"), toPath: folder.path)
        let member = folder.appendingPathComponent("000284.pickle.pbz2")
        let bytes = try Data(contentsOf: member)
        try FileManager.default.removeItem(at: member)
        try bytes.prefix(bytes.count - 100).write(to: member)
        let out = dir.appendingPathComponent("out.h5").path
        XCTAssertThrowsError(try BenchmarkConverter.convertNATS(source: folder.path, to: out)) {
            XCTAssertTrue("\($0)".contains("000284.pickle.pbz2"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["NATS-sss-v1_0-50262-simple"], "no temp file left")
    }
}
