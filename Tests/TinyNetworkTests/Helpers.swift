import Foundation
import FixtureSupport
import Tensors
@testable import TinyNetwork
import NASCore

/// The repository root, found from this file's path (no SwiftPM resources).
let repositoryRoot: URL = Repository.root

let fixtureDirectory = repositoryRoot.appendingPathComponent("Tests/Fixtures/network")

/// `Tests/Fixtures/network/manifest.json`, as written by Tools/fixtures/make_network_fixtures.py.
struct FixtureManifest: Decodable {
    struct Net: Decodable {
        var name: String
        var config: NetworkConfig
        var input_size: Int
        var weights: [String: String]
        var keys: Int
        var state_dict: [StateDictEntry]
    }
    struct StateDictEntry: Decodable {
        var name: String
        var shape: [Int]
        var dtype: String
        init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            name = try c.decode(String.self)
            shape = try c.decode([Int].self)
            dtype = try c.decode(String.self)
        }
    }
    struct FullFile: Decodable {
        var file: String
        var arch_index: Int
        var arch_str: String
    }
    struct Evaluation: Decodable {
        var accuracy: Double
        var loss: Double
        var images: Int
    }
    var batch: Int
    var nets: [Net]
    var full_file: FullFile
    /// PyTorch's ori-test accuracy/loss of the full file's 200-epoch run on the synthetic CIFAR-10 test set.
    var full_file_ori_test: Evaluation

    static func load() throws -> FixtureManifest {
        let data = try Data(contentsOf: fixtureDirectory.appendingPathComponent("manifest.json"))
        return try JSONDecoder().decode(FixtureManifest.self, from: data)
    }
}

/// A state dict matching `spec` with random weights and batch norms far from identity.
func randomStateDict(_ spec: ParameterSpec, seed: UInt64) -> StateDict {
    var random = SplitMix64(state: seed)
    var dict = StateDict()
    for entry in spec.entries {
        let n = entry.shape.reduce(1, *)
        if entry.dtype == .int64 {
            dict[entry.name] = Tensor(shape: entry.shape, scalars: [Int64(1000)])
            continue
        }
        let values: [Float]
        if entry.name.hasSuffix("running_var") {
            values = (0..<n).map { _ in random.uniform(0.5, 2) }
        } else if entry.name.hasSuffix("running_mean") || entry.name.hasSuffix(".bias") {
            values = (0..<n).map { _ in random.uniform(-0.3, 0.3) }
        } else if entry.shape.count == 1 {
            values = (0..<n).map { _ in random.uniform(0.6, 1.4) }
        } else {
            let fanIn = Float(entry.shape.dropFirst().reduce(1, *))
            let bound = (3 / fanIn).squareRoot()
            values = (0..<n).map { _ in random.uniform(-bound, bound) }
        }
        dict[entry.name] = Tensor(shape: entry.shape, scalars: values)
    }
    return dict
}

/// The largest |a - b| relative to the largest |b| (logits near zero make per-element ratios meaningless).
func relativeError(_ a: [Float], _ b: [Float]) -> Double {
    precondition(a.count == b.count)
    var worst = 0.0, scale = 0.0
    for (x, y) in zip(a, b) {
        worst = max(worst, abs(Double(x) - Double(y)))
        scale = max(scale, abs(Double(y)))
    }
    return worst / max(scale, 1e-30)
}

func argmaxRows(_ values: [Float], columns: Int) -> [Int] {
    stride(from: 0, to: values.count, by: columns).map { start in
        var best = start
        for i in start..<(start + columns) where values[i] > values[best] { best = i }
        return best - start
    }
}
