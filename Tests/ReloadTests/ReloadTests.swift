import Foundation
import XCTest
import FixtureSupport
import NASCore
@testable import Reload
import TorchFormats

/// `Reloader` on the upstream-format fixture `013444-FULL.pth` (made by Tools/fixtures, see
/// Tests/Fixtures/network/README.md): the run loads strictly, runs, and exports.
final class ReloadTests: XCTestCase {
    let fullFile = Repository.fixtures("network").appendingPathComponent("013444-FULL.pth").path
    let archString = "|skip_connect~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "nasdata-reload-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    private func request(_ selector: ArchitectureSelector, schedule: Schedule = .twoHundred, seed: Int? = nil,
                         output: String) throws -> ReloadRequest {
        ReloadRequest(source: .fullFile(fullFile), architecture: try selector.select(),
                      dataset: .cifar10Valid, seed: seed, schedule: schedule, output: output)
    }

    func testFullFileRunReloadsChecksAndExports() throws {
        var req = try request(.index(13444), output: dir + "/out.safetensors")
        req.config = dir + "/net.json"
        let report = try Reloader.run(req)
        XCTAssertEqual(report.arch, archString)
        XCTAssertEqual(report.archIndex, 13444)
        XCTAssertEqual(report.seed, 777, "the lowest seed recorded")
        XCTAssertEqual(report.hp, .twoHundred)
        XCTAssertEqual(report.classes, 10)
        let spec = try ParameterSpec(NetworkConfig(architecture: try Architecture(archString), dataset: .cifar10Valid))
        XCTAssertEqual(report.keys, spec.entries.count)
        XCTAssertEqual(report.parameters, spec.trainableParameterCount)
        XCTAssertEqual(report.check, "finite logits on a synthetic batch")
        XCTAssertNil(report.evaluation)
        XCTAssertFalse(report.disagrees)
        XCTAssertEqual(report.lines.count, 4)
        XCTAssertTrue(report.lines[0].hasPrefix("reload: \(archString) (index 13444), cifar10-valid seed 777, hp 200: "), report.lines[0])
        XCTAssertEqual(report.lines.suffix(2), ["wrote \(dir!)/out.safetensors", "wrote \(dir!)/net.json"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/out.safetensors"))
        let config = try JSONDecoder().decode(NetworkConfig.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/net.json")))
        XCTAssertEqual(config, NetworkConfig(architecture: try Architecture(archString), dataset: .cifar10Valid))

        // The JSON report keeps the keys `reload --json` always printed, nulls included.
        let json = try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as! [String: Any]
        XCTAssertEqual(Set(json.keys), ["source", "arch", "arch_index", "space", "dataset", "seed", "hp", "classes", "keys",
                                        "parameters", "warnings", "check", "output", "config"])
        XCTAssertEqual(json["hp"] as? String, "200")
        XCTAssertEqual(json["arch_index"] as? Int, 13444)
        XCTAssertEqual(json["space"] as? String, "tss")
        let (_, metadata) = try Safetensors.read(path: dir + "/out.safetensors")
        XCTAssertEqual(metadata["C"], "16")
        XCTAssertEqual(metadata["N"], "5")
        XCTAssertEqual(metadata["arch_index"], "13444")
        XCTAssertNil(metadata["channels"])
    }

    func testTwelveEpochRunAndStringSelector() throws {
        let report = try Reloader.run(try request(.string(archString), schedule: .twelve, output: dir + "/less.pth"))
        XCTAssertEqual(report.seed, 888)
        XCTAssertEqual(report.hp.rawValue, "12")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/less.pth"))
    }

    func testAnotherArchitectureIsRefusedWithBothNamed() throws {
        XCTAssertThrowsError(try Reloader.run(try request(.index(0), output: dir + "/x.pth"))) { error in
            XCTAssertTrue(error is ReloadError)
            XCTAssertTrue("\(error)".contains("the run is of architecture \(self.archString) (index 13444), not the requested"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.pth"), "nothing written")
    }

    func testIgnoreMetadataWarnsAndBuildsTheRequestedNetwork() throws {
        var req = try request(.index(25), output: dir + "/ignored.safetensors")
        req.checkMetadata = false
        var warned: [String] = []
        let report = try Reloader.run(req) { warned.append($0) }
        XCTAssertEqual(report.archIndex, 25)
        XCTAssertTrue(warned.contains { $0.contains("index 13444") && $0.contains("ignored: --ignore-metadata") }, "\(warned)")
        XCTAssertEqual(report.warnings.filter { $0.contains("13444") }.count, 1)
        // The export records the architecture that was asked for (its network was built).
        let metadata = try Safetensors.metadata(path: dir + "/ignored.safetensors")
        XCTAssertEqual(metadata["arch_index"], "25")
    }

    func testMissingSeedAndMissingArchiveAreOneLineErrors() throws {
        XCTAssertThrowsError(try Reloader.run(try request(.index(13444), seed: 999, output: dir + "/x.pth"))) {
            XCTAssertTrue("\($0)".contains("seed 999"), "\($0)")
        }
        var req = try request(.index(13444), output: dir + "/x.pth")
        req.source = .archive(dir + "/missing.h5")
        XCTAssertThrowsError(try Reloader.run(req)) { XCTAssertTrue("\($0)".contains("missing.h5"), "\($0)") }
    }

    // MARK: NATS-Bench size space

    /// `sss-000001-run.pth` (Tests/Fixtures/network/sss/README.md): a NATS-Bench size-space result
    /// file, hp keyed by itself (`90`), one cifar10 run of 8:8:8:8:16 (index 1), seed 777.
    let sizeRunFile = Repository.fixtures("network").appendingPathComponent("sss/sss-000001-run.pth").path
    let fixedCell = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"

    private func sizeRequest(_ selector: ArchitectureSelector, space: SearchSpaceKind? = nil, schedule: Schedule = .ninety,
                             output: String) throws -> ReloadRequest {
        ReloadRequest(source: .fullFile(sizeRunFile), architecture: try selector.select(space: space),
                      dataset: .cifar10, seed: nil, schedule: schedule, output: output)
    }

    func testSizeSpaceRunReloadsIntoDynamicShapeTinyNetAndExports() throws {
        var req = try sizeRequest("8:8:8:8:16", output: dir + "/sss.safetensors")
        req.config = dir + "/sss.json"
        let report = try Reloader.run(req)
        XCTAssertEqual(report.space, .size)
        XCTAssertEqual(report.arch, "8:8:8:8:16")
        XCTAssertEqual(report.archIndex, 1)
        XCTAssertEqual(report.seed, 777)
        XCTAssertEqual(report.hp, .ninety)
        XCTAssertEqual(report.classes, 10)
        let config = NetworkConfig(layerChannels: [8, 8, 8, 8, 16], genotype: fixedCell, classes: 10)
        let spec = try ParameterSpec(config)
        XCTAssertEqual(report.keys, spec.entries.count)
        XCTAssertEqual(report.parameters, spec.trainableParameterCount)
        XCTAssertEqual(report.check, "finite logits on a synthetic batch")
        XCTAssertTrue(report.lines[0].hasPrefix("reload: 8:8:8:8:16 (index 1), cifar10 seed 777, hp 90: \(spec.entries.count) tensors"),
                      report.lines[0])
        let written = try JSONDecoder().decode(NetworkConfig.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/sss.json")))
        XCTAssertEqual(written, config)
        XCTAssertEqual(try String(contentsOfFile: dir + "/sss.json", encoding: .utf8).contains("\"name\" : \"infer.shape.tiny\""), true)

        let (weights, metadata) = try Safetensors.read(path: dir + "/sss.safetensors")
        XCTAssertEqual(weights.entries.map(\.0), spec.names, "upstream key order")
        XCTAssertEqual(metadata["channels"], "8:8:8:8:16")
        XCTAssertEqual(metadata["genotype"], fixedCell)
        XCTAssertEqual(metadata["hp"], "90")
        XCTAssertEqual(metadata["arch_index"], "1")
        XCTAssertNil(metadata["C"])
        XCTAssertNil(metadata["N"])
        let json = try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as! [String: Any]
        XCTAssertEqual(json["space"] as? String, "sss")
        XCTAssertEqual(json["hp"] as? String, "90")

        // The same run by its size-space index.
        let byIndex = try Reloader.run(try sizeRequest(.index(1), space: .size, output: dir + "/sss.pth"))
        XCTAssertEqual(byIndex.arch, "8:8:8:8:16")
        XCTAssertEqual(byIndex.keys, report.keys)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/sss.pth"))
    }

    func testSizeSpaceRunRefusesAnotherArchitectureScheduleOrSource() throws {
        XCTAssertThrowsError(try Reloader.run(try sizeRequest("8:8:8:8:8", output: dir + "/x.pth"))) {
            XCTAssertTrue("\($0)".contains("the run is of size-space architecture 8:8:8:8:16 (index 1), not the requested 8:8:8:8:8 (index 0)"),
                          "\($0)")
        }
        XCTAssertThrowsError(try Reloader.run(try sizeRequest(.index(1), output: dir + "/x.pth"))) {
            XCTAssertTrue("\($0)".contains("the run is of size-space architecture 8:8:8:8:16 (index 1), not the requested |"), "\($0)")
        }
        XCTAssertThrowsError(try Reloader.run(try sizeRequest("8:8:8:8:16", schedule: .one, output: dir + "/x.pth"))) {
            XCTAssertTrue("\($0)".contains("has no results for hp 01"), "\($0)")
        }
        var req = try sizeRequest("8:8:8:8:16", output: dir + "/x.pth")
        req.source = .archive(dir + "/missing.h5")
        XCTAssertThrowsError(try Reloader.run(req)) { XCTAssertTrue("\($0)".contains("missing.h5: cannot open"), "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.pth"), "nothing written")
    }

    func testLogitScoreCountsTopOneAndCrossEntropy() {
        var score = LogitScore(classes: 3)
        XCTAssertTrue(score.add([0, 0, Float(log(2.0))], label: 2))   // p = 2/4, right
        XCTAssertTrue(score.add([5, 1, 1], label: 1))                   // wrong
        XCTAssertFalse(score.add([1, 2, 3], label: 3), "a label outside the classes is refused")
        XCTAssertEqual(score.correct, 1)
        XCTAssertEqual(score.accuracy(of: 2), 50)
        let second = log(exp(5.0) + 2 * exp(1.0)) - 1
        XCTAssertEqual(score.meanLoss(of: 2), (log(2.0) + second) / 2, accuracy: 1e-6)
    }

    func testEvaluationJSONWritesNullForAMissingRecordAndNoVerdict() throws {
        let entry = ReloadReport.Evaluation(data: "d.h5", set: "cifar10/ori-test", images: 4, accuracy: 50, loss: 1,
                                            recorded: nil, agrees: nil)
        let data = try JSONEncoder().encode(entry)
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        XCTAssertTrue(object["recorded"] is NSNull)
        XCTAssertNil(object["agrees"])
    }
}
