import Foundation
import XCTest
import FixtureSupport
import Tensors
import TorchFormats
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

/// Runs a fixture net (each of its weight files, 1 and 2 threads) and checks features, logits
/// (1e-4 relative) and arg-max labels against PyTorch's; returns the worst logit error and where.
@discardableResult
func assertMatchesPyTorch(_ net: FixtureManifest.Net, in directory: URL,
                          file: StaticString = #filePath, line: UInt = #line) throws -> (error: Double, what: String) {
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    let input = try NPY.read(path: path("\(net.name).input.npy"))
    let expectedLogits = try NPY.read(path: path("\(net.name).logits.npy")).scalars(as: Float.self)
    let expectedFeatures = try NPY.read(path: path("\(net.name).features.npy")).scalars(as: Float.self)
    var worst = (error: 0.0, what: "")
    for (format, weightsFile) in net.weights.sorted(by: { $0.key < $1.key }) {
        let weights = try WeightsFile.load(path: path(weightsFile))
        if format == "safetensors" {  // safetensors sorts its keys; torch files keep state_dict order
            XCTAssertEqual(Set(weights.names), Set(net.state_dict.map(\.name)), "\(weightsFile): keys", file: file, line: line)
        } else {
            XCTAssertTrue(weights.names == net.state_dict.map(\.name), "\(weightsFile): key order", file: file, line: line)
        }
        let network = try TinyNetwork(config: net.config, weights: weights)
        XCTAssertEqual(network.warnings, [], file: file, line: line)
        XCTAssertEqual(network.featureCount, expectedFeatures.count / input.shape[0], file: file, line: line)
        for threads in [1, 2] {
            let out = try network.forward(input, threads: threads, microBatch: 3)
            let logits = out.logits.scalars(as: Float.self)
            let error = relativeError(logits, expectedLogits)
            XCTAssertLessThan(error, 1e-4, "\(weightsFile) logits", file: file, line: line)
            XCTAssertLessThan(relativeError(out.features.scalars(as: Float.self), expectedFeatures), 1e-4,
                              "\(weightsFile) features", file: file, line: line)
            XCTAssertEqual(argmaxRows(logits, columns: net.config.classes),
                           argmaxRows(expectedLogits, columns: net.config.classes), "\(weightsFile) arg-max",
                           file: file, line: line)
            if error > worst.error { worst = (error, "\(weightsFile), \(threads) thread(s)") }
        }
    }
    return worst
}

/// The spec of a fixture net's config equals upstream's state dict: names, shapes, dtypes, order.
func assertSpecMatchesStateDict(_ net: FixtureManifest.Net, file: StaticString = #filePath, line: UInt = #line) throws {
    let spec = try ParameterSpec(net.config)
    XCTAssertEqual(spec.names, net.state_dict.map(\.name), net.name, file: file, line: line)
    XCTAssertEqual(spec.entries.map(\.shape), net.state_dict.map(\.shape), net.name, file: file, line: line)
    XCTAssertEqual(spec.entries.map(\.dtype.rawValue), net.state_dict.map(\.dtype), net.name, file: file, line: line)
    XCTAssertEqual(spec.entries.count, net.keys, net.name, file: file, line: line)
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
