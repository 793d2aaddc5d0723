import FixtureSupport
import Foundation
import XCTest
import NASBench

/// `BenchmarkConverter.run` (what `nasdata convert-benchmark` calls): either source kind, the
/// summary it prints, and no output on failure.
final class ConvertRequestTests: XCTestCase {
    func testMetaFileAndNATSBenchmarkAreTellApartAndSummarized() throws {
        let dir = BenchmarkFixtures.scratch.appendingPathComponent("convert-request-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let meta = try BenchmarkConverter.run(ConvertRequest(input: try BenchmarkFixtures.path("meta-v1_1-mini.pth"),
                                                             output: dir.appendingPathComponent("meta.h5").path))
        XCTAssertEqual(meta.metaArchs, 15625)
        XCTAssertEqual(meta.evaluated, 12)
        XCTAssertEqual(try Benchmark(path: meta.output).evaluatedIndexes().count, 12)
        XCTAssertEqual(meta.lines.first, "\(meta.output): 15625 architectures, 12 evaluated, from \(meta.sourceFormat) \(meta.source)")
        XCTAssertEqual(meta.lines.count, 1 + meta.runs.count)
        XCTAssertTrue(meta.lines.contains("  hp 200, cifar10: \(meta.runs["200/cifar10"]!) runs"), "\(meta.lines)")

        let nats = Repository.fixtures("nats").appendingPathComponent("generated/NATS-sss-v1_0-50262.pickle.pbz2").path
        var request = ConvertRequest(input: nats, output: dir.appendingPathComponent("sss.h5").path)
        request.deflate = nil
        let sss = try BenchmarkConverter.run(request)
        XCTAssertEqual(sss.sourceFormat, "nats-single-file")
        XCTAssertEqual(sss.metaArchs, 32768)
        XCTAssertEqual(sss.evaluated, 3)
        let doc = try JSONSerialization.jsonObject(with: Data("\(sss.json)".utf8)) as! [String: Any]
        XCTAssertEqual(doc["input"] as? String, nats)
        XCTAssertEqual(doc["source_format"] as? String, "nats-single-file")
        XCTAssertEqual(doc["runs"] as? [String: Int], sss.runs)
        XCTAssertEqual(Set(sss.runs.keys.map { String($0.split(separator: "/")[0]) }), ["01", "12", "90"])

        // A cap below the decompressed size: refused, nothing written.
        request.output = dir.appendingPathComponent("capped.h5").path
        request.maxBytes = 100
        XCTAssertThrowsError(try BenchmarkConverter.run(request)) { XCTAssertTrue("\($0)".contains("more than 100 bytes"), "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: request.output))
    }
}
