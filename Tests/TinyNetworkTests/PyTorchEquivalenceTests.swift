import XCTest
import NASBench
import Tensors
import TorchFormats
@testable import TinyNetwork
import NASCore

/// nasdata's forward pass against PyTorch's (upstream xautodl TinyNetwork, eval mode) on
/// the committed fixtures: logits within 1e-4 relative, equal arg-max labels.
final class PyTorchEquivalenceTests: XCTestCase {
    func path(_ name: String) -> String { fixtureDirectory.appendingPathComponent(name).path }

    func testEveryFixtureNetworkMatchesPyTorch() throws {
        let manifest = try FixtureManifest.load()
        var worst = (error: 0.0, what: "")
        var formatsSeen = Set<String>()
        for net in manifest.nets {
            let input = try NPY.read(path: path("\(net.name).input.npy"))
            XCTAssertEqual(input.shape, [manifest.batch, 3, net.input_size, net.input_size])
            let expectedLogits = try NPY.read(path: path("\(net.name).logits.npy")).scalars(as: Float.self)
            let expectedFeatures = try NPY.read(path: path("\(net.name).features.npy")).scalars(as: Float.self)
            for (format, file) in net.weights.sorted(by: { $0.key < $1.key }) {
                formatsSeen.insert(format)
                let weights = try WeightsFile.load(path: path(file))
                if format == "safetensors" {  // safetensors sorts its keys; torch files keep state_dict order
                    XCTAssertEqual(Set(weights.names), Set(net.state_dict.map(\.name)), "\(file): keys")
                } else {
                    XCTAssertTrue(weights.names == net.state_dict.map(\.name), "\(file): key order")
                }
                let network = try TinyNetwork(config: net.config, weights: weights)
                XCTAssertEqual(network.warnings, [])
                for threads in [1, 2] {
                    let out = try network.forward(input, threads: threads, microBatch: 4)
                    let logits = out.logits.scalars(as: Float.self)
                    let error = relativeError(logits, expectedLogits)
                    XCTAssertLessThan(error, 1e-4, "\(file) logits")
                    XCTAssertLessThan(relativeError(out.features.scalars(as: Float.self), expectedFeatures), 1e-4,
                                      "\(file) features")
                    XCTAssertEqual(argmaxRows(logits, columns: net.config.classes),
                                   argmaxRows(expectedLogits, columns: net.config.classes), "\(file) arg-max")
                    if error > worst.error { worst = (error, "\(file), \(threads) thread(s)") }
                }
            }
        }
        XCTAssertEqual(formatsSeen, ["zip", "legacy", "safetensors"])
        print("worst relative logit error vs PyTorch: \(worst.error) (\(worst.what))")
    }

    func testFixturesCoverEveryOperationClassCountAndInputSize() throws {
        let manifest = try FixtureManifest.load()
        var ops = Set<NASCore.Operation>()
        for net in manifest.nets { ops.formUnion(try Architecture(net.config.architecture).operations) }
        XCTAssertEqual(ops, Set(NASCore.Operation.allCases))
        XCTAssertEqual(Set(manifest.nets.map(\.config.classes)), [10, 100, 120])
        XCTAssertEqual(Set(manifest.nets.map(\.input_size)), [16, 32])
    }

    func testFullFileRunReloadsAndMatchesPyTorch() throws {
        let manifest = try FixtureManifest.load()
        let run = try TrainedRun.fromFullFile(path: path(manifest.full_file.file), dataset: .cifar10Valid,
                                              seed: nil, schedule: Schedule(epochs: 200))
        XCTAssertEqual(run.seed, 777)
        XCTAssertEqual(run.architecture, manifest.full_file.arch_str)
        XCTAssertEqual(run.architectureIndex, manifest.full_file.arch_index)
        XCTAssertEqual(run.epochs, 200)
        XCTAssertEqual(run.recorded("ori-test")?.epoch, 199)
        XCTAssertEqual(run.recorded("ori-test")?.accuracy, manifest.full_file_ori_test.accuracy)
        XCTAssertEqual(run.recorded("ori-test")?.loss, manifest.full_file_ori_test.loss)
        XCTAssertEqual(run.recorded("x-valid")?.accuracy, 12.5)
        let network = try TinyNetwork(config: run.config, weights: run.weights)
        let logits = try network.forward(try NPY.read(path: path("full-file.input.npy"))).logits.scalars(as: Float.self)
        let expected = try NPY.read(path: path("full-file.logits.npy")).scalars(as: Float.self)
        XCTAssertLessThan(relativeError(logits, expected), 1e-4)

        let less = try TrainedRun.fromFullFile(path: path(manifest.full_file.file), dataset: .cifar10Valid,
                                               seed: 888, schedule: Schedule(epochs: 12))
        XCTAssertEqual(less.epochs, 12)
        XCTAssertNotEqual(less.weights, run.weights)
    }

    func testFullFileErrorsNameWhatIsThere() throws {
        let manifest = try FixtureManifest.load()
        XCTAssertThrowsError(try TrainedRun.fromFullFile(path: path(manifest.full_file.file), dataset: .cifar100,
                                                         seed: nil, schedule: Schedule(epochs: 200))) {
            XCTAssertTrue("\($0)".contains("has no 'full' run for cifar100; it has: (cifar10-valid, 777)"), "\($0)")
        }
        XCTAssertThrowsError(try TrainedRun.fromFullFile(path: path(manifest.full_file.file), dataset: .cifar10Valid,
                                                         seed: 999, schedule: Schedule(epochs: 200))) {
            XCTAssertTrue("\($0)".contains("seed 999"), "\($0)")
        }
    }

    func testWeightsOfAnotherArchitectureOrClassCountAreRefused() throws {
        let manifest = try FixtureManifest.load()
        let allOps = manifest.nets[0]
        let weights = try WeightsFile.load(path: path(allOps.weights["zip"]!))
        var config = allOps.config
        config.classes = 100
        XCTAssertThrowsError(try TinyNetwork(config: config, weights: weights)) {
            XCTAssertTrue("\($0)".contains("the weights are for 10 classes, the network was configured for 100"), "\($0)")
        }
        config = allOps.config
        config.architecture = manifest.nets[3].config.architecture
        XCTAssertThrowsError(try TinyNetwork(config: config, weights: weights)) {
            XCTAssertTrue("\($0)".contains("the weights belong to another architecture"), "\($0)")
        }
    }

    func testNonWeightFilesAreRefusedByName() throws {
        XCTAssertThrowsError(try WeightsFile.load(path: path("manifest.json"))) {
            XCTAssertTrue("\($0)".contains("manifest.json"), "\($0)")
            XCTAssertTrue("\($0)".contains("not a weights file"), "\($0)")
        }
    }
}
