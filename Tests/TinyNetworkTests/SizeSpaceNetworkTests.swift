import XCTest
import Foundation
import NASCore
import Tensors
import TorchFormats
@testable import TinyNetwork

/// `Tests/Fixtures/network/sss/manifest.json`, written by Tools/fixtures/make-sss-network-fixtures.py.
struct SizeSpaceManifest: Decodable {
    struct RunFile: Decodable {
        var file: String
        var arch_index: Int
        var channels: String
        var hp: String
        var dataset: String
        var seed: Int
        var config: NetworkConfig
    }
    var batch: Int
    var nets: [FixtureManifest.Net]
    var run_file: RunFile

    static let directory = fixtureDirectory.appendingPathComponent("sss")
    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func load() throws -> SizeSpaceManifest {
        let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        return try JSONDecoder().decode(SizeSpaceManifest.self, from: data)
    }
}

/// NATS-Bench's size-space network (xautodl's DynamicShapeTinyNet) against PyTorch on the
/// committed fixtures, its parameter list, its config dict and its strict loading.
final class SizeSpaceNetworkTests: XCTestCase {
    func path(_ name: String) -> String { SizeSpaceManifest.path(name) }

    func testEverySizeSpaceFixtureMatchesPyTorch() throws {
        let manifest = try SizeSpaceManifest.load()
        var worst = (error: 0.0, what: "")
        var formats = Set<String>()
        for net in manifest.nets {
            XCTAssertNotNil(net.config.layerChannels, net.name)
            formats.formUnion(net.weights.keys)
            let error = try assertMatchesPyTorch(net, in: SizeSpaceManifest.directory)
            if error.error > worst.error { worst = error }
        }
        XCTAssertEqual(formats, ["zip", "legacy", "safetensors"])
        let channelLists = manifest.nets.compactMap(\.config.channelString)
        XCTAssertTrue(channelLists.contains("8:8:8:8:8") && channelLists.contains("64:64:64:64:64"), "\(channelLists)")
        print("worst relative logit error vs PyTorch (size space): \(worst.error) (\(worst.what))")
    }

    /// The parameter list is upstream's state dict exactly: keys, order, shapes, dtypes.
    func testParameterSpecIsUpstreamsStateDict() throws {
        let manifest = try SizeSpaceManifest.load()
        for net in manifest.nets { try assertSpecMatchesStateDict(net) }
        // The widening cells' node-0 edges of the every-op cell (avg pool, none, skip) have their own modules.
        let everyOp = try XCTUnwrap(manifest.nets.first { $0.name == "everyop-cifar100" })
        let names = try ParameterSpec(everyOp.config).names
        XCTAssertTrue(names.contains("cells.2.layers.0.preprocess.op.1.weight"))
        XCTAssertTrue(names.contains("cells.2.layers.3.conv.weight"))
        XCTAssertTrue(names.contains("cells.4.layers.3.bn.running_var"))
        XCTAssertFalse(names.contains { $0.hasPrefix("cells.0.layers.0.preprocess") })  // 16 -> 16: plain pool
    }

    /// `params` (millions) that NATS-Bench records for these runs (hp 90, the authors' sample files
    /// 000000, 000011 and 000284 of NATS-sss-v1_0-50262-simple; see the fixture README).
    func testParameterCountsEqualNATSBenchsRecords() throws {
        let recorded: [(String, Int, Double)] = [
            ("8:8:8:8:8", 10, 0.011714), ("8:8:8:8:8", 100, 0.012524), ("8:8:8:8:8", 120, 0.012704),
            ("8:8:8:16:32", 10, 0.049202), ("8:8:8:16:32", 120, 0.052832),
            ("8:8:40:32:40", 10, 0.144834), ("8:8:40:32:40", 100, 0.148524), ("8:8:40:32:40", 120, 0.149344),
        ]
        for (channels, classes, params) in recorded {
            let config = NetworkConfig(size: try ChannelSizes(channels), classes: classes)
            XCTAssertEqual(Double(try ParameterSpec(config).trainableParameterCount) / 1e6, params, accuracy: 5e-7,
                           "\(channels), \(classes) classes")
        }
    }

    func testConfigIsTheDictGetCellBasedTinyNetTakes() throws {
        let config = NetworkConfig(layerChannels: [8, 16, 24, 32, 40], classes: 10)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(config), as: UTF8.self)
        XCTAssertEqual(json, #"{"channels":"8:16:24:32:40","genotype":"\#(NetworkConfig.sizeSpaceCell)","name":"infer.shape.tiny","num_classes":10}"#)
        XCTAssertEqual(try JSONDecoder().decode(NetworkConfig.self, from: Data(json.utf8)), config)
        // xautodl also takes the channels as a list.
        let list = #"{"name":"infer.shape.tiny","channels":[8,16,24,32,40],"genotype":"\#(NetworkConfig.sizeSpaceCell)","num_classes":10}"#
        XCTAssertEqual(try JSONDecoder().decode(NetworkConfig.self, from: Data(list.utf8)), config)
        XCTAssertThrowsError(try JSONDecoder().decode(NetworkConfig.self,
            from: Data(#"{"name":"infer.shape.tiny","channels":"8:x","genotype":"|none~0|","num_classes":1}"#.utf8)))
        XCTAssertEqual(config.summary, "DynamicShapeTinyNet(channels=8:16:24:32:40, \(NetworkConfig.sizeSpaceCell), classes=10)")
        XCTAssertEqual(config.layers.map(\.isReduction), [false, true, false, true, false])
        XCTAssertEqual(config.layers.map(\.inChannels), [8, 8, 16, 24, 32])
        XCTAssertThrowsError(try ParameterSpec(NetworkConfig(layerChannels: [8, 16, 24, 32], classes: 10))) {
            XCTAssertTrue("\($0)".contains("3N+2"), "\($0)")
        }
    }

    /// Wrong, missing and mis-shaped keys are reported at once, with the channels the weights have.
    func testStrictLoadingReportsEveryProblem() throws {
        let manifest = try SizeSpaceManifest.load()
        let net = try XCTUnwrap(manifest.nets.first { $0.name == "index284-imagenet120" })
        var weights = try WeightsFile.load(path: path(net.weights["legacy"]!))
        XCTAssertNoThrow(try TinyNetwork(config: net.config, weights: weights))
        weights["cells.2.layers.3.bn.running_mean"] = nil
        weights["cells.2.layers.3.op.1.weight"] = Tensor(shape: [40, 8, 1, 1], scalars: [Float](repeating: 0, count: 320))
        weights["cells.4.layers.0.op.1.weight"] = Tensor(shape: [40, 40, 3, 3], scalars: [Float](repeating: 0, count: 14400))
        XCTAssertThrowsError(try TinyNetwork(config: net.config, weights: weights)) { error in
            guard let m = error as? StateDictMismatch else { return XCTFail("\(error)") }
            XCTAssertEqual(m.missing, ["cells.2.layers.3.bn.running_mean"])
            XCTAssertEqual(m.unexpected, ["cells.2.layers.3.op.1.weight"])
            XCTAssertEqual(m.shapeMismatches.map(\.name), ["cells.4.layers.0.op.1.weight"])
            XCTAssertEqual(m.shapeMismatches.map(\.expected), [[40, 32, 3, 3]])
            XCTAssertEqual(m.shapeMismatches.map(\.found), [[40, 40, 3, 3]])
            let text = m.description
            XCTAssertTrue(text.hasPrefix("Error(s) in loading state_dict for DynamicShapeTinyNet(channels=8:8:40:32:40, "), text)
            XCTAssertTrue(text.contains(#"Missing key(s) in state_dict: "cells.2.layers.3.bn.running_mean"."#), text)
            XCTAssertTrue(text.contains(#"Unexpected key(s) in state_dict: "cells.2.layers.3.op.1.weight"."#), text)
            XCTAssertTrue(text.contains("size mismatch for cells.4.layers.0.op.1.weight: copying a param with shape "
                                        + "[40, 40, 3, 3] from checkpoint, the shape in current model is [40, 32, 3, 3]."), text)
        }
    }

    /// Weights of another channel configuration: every mis-shaped key, and the channels they have.
    func testWeightsOfOtherChannelsAreNamed() throws {
        let manifest = try SizeSpaceManifest.load()
        let small = try XCTUnwrap(manifest.nets.first { $0.name == "c8x5-cifar10" })
        let weights = try WeightsFile.load(path: path(small.weights["zip"]!))
        let config = NetworkConfig(layerChannels: [8, 8, 8, 8, 16], classes: 10)
        XCTAssertThrowsError(try TinyNetwork(config: config, weights: weights)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("hint: the weights' layers have channels 8:8:8:8:8, the network was configured for 8:8:8:8:16"), text)
            XCTAssertTrue(text.contains("size mismatch for classifier.weight"), text)
            // The last cell now widens 8 -> 16, so its skip edge needs a FactorizedReduce the weights lack.
            XCTAssertTrue(text.contains(#"Missing key(s) in state_dict: "cells.4.layers.3.conv.weight""#), text)
        }
        // Topology weights into a size-space network: every width differs from layer 1 on.
        let topology = try WeightsFile.load(path: fixtureDirectory.appendingPathComponent("allops-c8-cifar10.pth").path)
        XCTAssertThrowsError(try TinyNetwork(config: NetworkConfig(layerChannels: [8, 16, 16, 32, 32], classes: 10),
                                             weights: topology)) {
            XCTAssertTrue("\($0)".contains("Unexpected key(s)"), "\($0)")
        }
    }

    /// A NATS-Bench size-space result file (hp keyed by itself) reloads into DynamicShapeTinyNet.
    func testSizeSpaceRunReloadsAndMatchesPyTorch() throws {
        let manifest = try SizeSpaceManifest.load()
        let file = manifest.run_file
        let run = try TrainedRun.fromFullFile(path: path(file.file), dataset: .cifar10, seed: nil, schedule: XCTUnwrap(Schedule(rawValue: file.hp)))
        XCTAssertEqual(run.architecture, file.channels)
        XCTAssertEqual(run.architectureIndex, file.arch_index)
        XCTAssertEqual(run.seed, file.seed)
        XCTAssertEqual(run.schedule, .ninety)
        XCTAssertEqual(run.config, file.config)
        XCTAssertEqual(run.recorded("ori-test")?.epoch, 89)
        let network = try TinyNetwork(config: run.config, weights: run.weights)
        let logits = try network.forward(try NPY.read(path: path("sss-run.input.npy"))).logits.scalars(as: Float.self)
        XCTAssertLessThan(relativeError(logits, try NPY.read(path: path("sss-run.logits.npy")).scalars(as: Float.self)), 1e-4)
        XCTAssertThrowsError(try TrainedRun.fromFullFile(path: path(file.file), dataset: .cifar10, seed: nil,
                                                         schedule: .twelve)) {
            XCTAssertTrue("\($0)".contains("has no 'less' results (hp 12); it has: 90"), "\($0)")
        }
    }
}
