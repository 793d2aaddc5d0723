import XCTest
import Tensors
@testable import TinyNetwork
@testable import NASCore

final class ParameterSpecTests: XCTestCase {
    /// The spec equals the state dict upstream's TinyNetwork has (names, shapes, dtypes, order).
    func testSpecEqualsUpstreamStateDicts() throws {
        let manifest = try FixtureManifest.load()
        XCTAssertEqual(manifest.nets.count, 4)
        for net in manifest.nets {
            let spec = try ParameterSpec(net.config)
            XCTAssertEqual(spec.names, net.state_dict.map(\.name), net.name)
            XCTAssertEqual(spec.entries.map(\.shape), net.state_dict.map(\.shape), net.name)
            XCTAssertEqual(spec.entries.map(\.dtype.rawValue), net.state_dict.map(\.dtype), net.name)
            XCTAssertEqual(spec.entries.count, net.keys)
        }
    }

    /// Key count = 39 + 90 x conv edges; params as the benchmark counts them (§6).
    func testKeyAndParameterCountsOfTheRealNetwork() throws {
        let arch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
        let spec = try ParameterSpec(NetworkConfig(architecture: arch, classes: 10))
        XCTAssertEqual(spec.entries.count, 39 + 90 * 3)
        XCTAssertEqual(spec.trainableParameterCount, 72656 + 65 * 10 + 243040 * 3)
        let oneByOne = "|nor_conv_1x1~0|+|none~0|nor_conv_1x1~1|+|none~0|nor_conv_1x1~1|nor_conv_1x1~2|"
        let spec2 = try ParameterSpec(NetworkConfig(architecture: oneByOne, classes: 120))
        XCTAssertEqual(spec2.trainableParameterCount, 72656 + 65 * 120 + 28000 * 4)
    }

    func testConfigJSONIsWhatUpstreamTakes() throws {
        let config = NetworkConfig(architecture: ForwardTests.allOps, classes: 100)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(config), as: UTF8.self)
        XCTAssertEqual(json, #"{"C":16,"N":5,"arch_str":"\#(ForwardTests.allOps.replacingOccurrences(of: "/", with: "\\/"))","name":"infer.tiny","num_classes":100}"#)
        XCTAssertEqual(try JSONDecoder().decode(NetworkConfig.self, from: Data(json.utf8)), config)
        XCTAssertThrowsError(try JSONDecoder().decode(NetworkConfig.self, from: Data(#"{"name":"infer.shape.tiny","C":16,"N":5,"arch_str":"x","num_classes":1}"#.utf8)))
    }

    func testMalformedArchitectureIsAnError() {
        XCTAssertThrowsError(try ParameterSpec(NetworkConfig(architecture: "|nor_conv_3x3~0|+|", classes: 10)))
        XCTAssertThrowsError(try ParameterSpec(NetworkConfig(architecture: "|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", classes: 10)))
    }
}

final class StrictLoaderTests: XCTestCase {
    let allOps = ForwardTests.allOps

    /// Missing, unexpected and mismatched keys are all reported at once, PyTorch-style.
    func testReportsEveryProblemAtOnce() throws {
        let config = NetworkConfig(architecture: allOps, classes: 10, channels: 4, cellsPerStage: 1)
        var weights = randomStateDict(try ParameterSpec(config), seed: 1)
        weights["cells.0.layers.1.op.2.running_var"] = nil
        weights["stem.1.bias"] = nil
        weights["cells.0.layers.2.op.1.weight"] = Tensor(shape: [1], scalars: [Float(0)])
        weights["cells.0.layers.0.op.1.weight"] = Tensor(shape: [4, 4, 1, 1], scalars: [Float](repeating: 0, count: 16))
        XCTAssertThrowsError(try TinyNetwork(config: config, weights: weights)) { error in
            guard let m = error as? StateDictMismatch else { return XCTFail("\(error)") }
            XCTAssertEqual(m.missing, ["stem.1.bias", "cells.0.layers.1.op.2.running_var"])
            XCTAssertEqual(m.unexpected, ["cells.0.layers.2.op.1.weight"])
            XCTAssertEqual(m.shapeMismatches, [.init(name: "cells.0.layers.0.op.1.weight", expected: [4, 4, 3, 3], found: [4, 4, 1, 1])])
            let text = m.description
            XCTAssertTrue(text.contains(#"Missing key(s) in state_dict: "stem.1.bias", "cells.0.layers.1.op.2.running_var"."#), text)
            XCTAssertTrue(text.contains(#"Unexpected key(s) in state_dict: "cells.0.layers.2.op.1.weight"."#), text)
            XCTAssertTrue(text.contains("size mismatch for cells.0.layers.0.op.1.weight: copying a param with shape [4, 4, 1, 1] from checkpoint, the shape in current model is [4, 4, 3, 3]."), text)
        }
    }

    func testWrongClassCountIsNamed() throws {
        let weights = randomStateDict(try ParameterSpec(NetworkConfig(architecture: allOps, classes: 100, channels: 4, cellsPerStage: 1)), seed: 2)
        let config = NetworkConfig(architecture: allOps, classes: 10, channels: 4, cellsPerStage: 1)
        XCTAssertThrowsError(try TinyNetwork(config: config, weights: weights)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("size mismatch for classifier.weight"), text)
            XCTAssertTrue(text.contains("the weights are for 100 classes, the network was configured for 10"), text)
        }
    }

    func testWrongArchitectureIsNamed() throws {
        let other = "|nor_conv_1x1~0|+|none~0|skip_connect~1|+|nor_conv_3x3~0|none~1|none~2|"
        let weights = randomStateDict(try ParameterSpec(NetworkConfig(architecture: other, classes: 10, channels: 4, cellsPerStage: 1)), seed: 3)
        let config = NetworkConfig(architecture: allOps, classes: 10, channels: 4, cellsPerStage: 1)
        XCTAssertThrowsError(try TinyNetwork(config: config, weights: weights)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("another architecture: their cells have convolution edges 0 (1x1), 3 (3x3), "
                                        + "\(self.allOps) has 0 (3x3), 1 (1x1), 5 (3x3)"), text)
            XCTAssertTrue(text.contains("Missing key(s)"), text)
            XCTAssertTrue(text.contains("Unexpected key(s)"), text)
        }
    }
}
