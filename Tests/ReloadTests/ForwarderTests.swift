import Foundation
import XCTest
import FixtureSupport
import NASCore
import Reload
import TorchFormats

/// `Forwarder` on the PyTorch-made network fixtures (Tests/Fixtures/network/README.md and
/// network/sss/README.md): logits and features equal upstream's, for both search spaces.
final class ForwarderTests: XCTestCase {
    let network = Repository.fixtures("network")
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "nasdata-forward-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    private func fixture(_ name: String) -> String { network.appendingPathComponent(name).path }

    private func relativeError(_ path: String, _ expected: String) throws -> Float {
        let a = try NPY.read(path: path).scalars(as: Float.self), b = try NPY.read(path: expected).scalars(as: Float.self)
        XCTAssertEqual(a.count, b.count)
        let scale = b.map(abs).max() ?? 1
        return zip(a, b).map { abs($0 - $1) }.max()! / scale
    }

    /// NAS-Bench-201 index 0, C=16, N=5, 100 classes: the topology network by its index.
    func testTopologyNetworkByIndexMatchesPyTorch() throws {
        var request = ForwardRequest(weights: .file(fixture("index0-c16-cifar100.pth")),
                                     architecture: try ArchitectureSelector.index(0).select(), classes: 100,
                                     input: fixture("index0-c16-cifar100.input.npy"), output: dir + "/l.npy")
        request.features = dir + "/f.npy"
        request.threads = 2
        request.microBatch = 3
        let report = try Forwarder.run(request)
        XCTAssertLessThan(try relativeError(dir + "/l.npy", fixture("index0-c16-cifar100.logits.npy")), 1e-4)
        XCTAssertLessThan(try relativeError(dir + "/f.npy", fixture("index0-c16-cifar100.features.npy")), 1e-4)
        XCTAssertEqual(report.space, .topology)
        XCTAssertEqual(report.archIndex, 0)
        XCTAssertEqual(report.classes, 100)
        XCTAssertEqual(report.threads, 2)
        let logits = try NPY.read(path: fixture("index0-c16-cifar100.logits.npy")).scalars(as: Float.self)
        let expectedLabels = stride(from: 0, to: logits.count, by: 100).map { s in (0..<100).max { logits[s + $0] < logits[s + $1] }! }
        XCTAssertEqual(report.argmax, expectedLabels)
        XCTAssertEqual(report.images, expectedLabels.count)
        XCTAssertEqual(report.lines.last, "wrote \(dir!)/l.npy and \(dir!)/f.npy")
        let json = try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as! [String: Any]
        XCTAssertEqual(Set(json.keys), ["images", "height", "width", "classes", "arch", "arch_index", "space", "threads",
                                        "micro_batch", "repeat", "seconds", "images_per_second", "blas_core", "argmax",
                                        "output", "warnings"])
        XCTAssertEqual(json["space"] as? String, "tss")
    }

    /// 8:8:8:8:8 = size-space index 0, and the every-op cell through --genotype.
    func testSizeSpaceNetworkMatchesPyTorch() throws {
        var request = ForwardRequest(weights: .file(fixture("sss/c8x5-cifar10.safetensors")),
                                     architecture: try ArchitectureSelector.index(0).select(space: .size), classes: 10,
                                     input: fixture("sss/c8x5-cifar10.input.npy"), output: dir + "/l.npy")
        request.config = dir + "/c.json"
        request.repeats = 2
        let report = try Forwarder.run(request)
        XCTAssertLessThan(try relativeError(dir + "/l.npy", fixture("sss/c8x5-cifar10.logits.npy")), 1e-4)
        XCTAssertEqual(report.space, .size)
        XCTAssertEqual(report.arch, "8:8:8:8:8")
        XCTAssertEqual(report.repeats, 2)
        let config = try JSONDecoder().decode(NetworkConfig.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/c.json")))
        XCTAssertEqual(config, NetworkConfig(layerChannels: [8, 8, 8, 8, 8], classes: 10))

        var everyOp = ForwardRequest(weights: .file(fixture("sss/everyop-cifar100.pth")),
                                     architecture: try ArchitectureSelector("16:24:32:8:48").select(), classes: 100,
                                     input: fixture("sss/everyop-cifar100.input.npy"), output: dir + "/e.npy")
        everyOp.genotype = "|avg_pool_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_3x3~2|"
        _ = try Forwarder.run(everyOp)
        XCTAssertLessThan(try relativeError(dir + "/e.npy", fixture("sss/everyop-cifar100.logits.npy")), 1e-4)
    }

    func testWrongNetworkBadInputAndArchiveOfTheOtherSpaceAreOneLineErrors() throws {
        let weights = fixture("sss/c8x5-cifar10.pth"), input = fixture("sss/c8x5-cifar10.input.npy")
        let other = ForwardRequest(weights: .file(weights), architecture: try ArchitectureSelector("8:8:8:8:16").select(),
                                   classes: 10, input: input, output: dir + "/x.npy")
        XCTAssertThrowsError(try Forwarder.run(other)) {
            XCTAssertTrue($0 is ReloadError)
            XCTAssertTrue("\($0)".contains("size mismatch for cells.4.layers.0.op.1.weight"), "\($0)")
            XCTAssertTrue("\($0)".contains("the weights' layers have channels 8:8:8:8:8"), "\($0)")
        }
        let badInput = ForwardRequest(weights: .file(weights), architecture: try ArchitectureSelector("8:8:8:8:8").select(),
                                      classes: 10, input: fixture("sss/c8x5-cifar10.logits.npy"), output: dir + "/x.npy")
        XCTAssertThrowsError(try Forwarder.run(badInput)) {
            XCTAssertTrue("\($0)".contains("expected float images [batch, 3, height, width]"), "\($0)")
        }
        let archive = ForwardRequest(weights: .archive(dir + "/a.h5", dataset: .cifar10, seed: nil, schedule: .ninety),
                                     architecture: try ArchitectureSelector("8:8:8:8:8").select(), classes: nil,
                                     input: input, output: dir + "/x.npy")
        // Archives hold NATS size-space runs too now: a missing one is an input error naming it.
        XCTAssertThrowsError(try Forwarder.run(archive)) { XCTAssertTrue("\($0)".contains("a.h5: cannot open"), "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.npy"), "nothing written")
    }
}
