import XCTest
import FixtureSupport
import Tensors
@testable import TinyNetwork
import NASCore

/// The fast forward pass (folded batch norms, im2col + sgemm, CBHW micro-batches)
/// against the naive float64 reference, on small random networks.
final class ForwardTests: XCTestCase {
    /// Every op appears: 3x3 and 1x1 from node 0 (shared ReLU), pool, skip, none.
    static let allOps = "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|"

    func checkAgainstReference(arch: String, classes: Int, channels: Int, cells: Int, batch: Int,
                               size: Int, microBatch: Int, threads: Int, seed: UInt64) throws {
        let config = NetworkConfig(architecture: arch, classes: classes, channels: channels, cellsPerStage: cells)
        let weights = randomStateDict(try ParameterSpec(config), seed: seed)
        let network = try TinyNetwork(config: config, weights: weights)
        XCTAssertEqual(network.warnings, [])
        var random = SplitMix64(state: seed &+ 99)
        let images = (0..<(batch * 3 * size * size)).map { _ in random.uniform(-2, 2) }
        let output = try network.forward(Tensor(shape: [batch, 3, size, size], scalars: images),
                                         threads: threads, microBatch: microBatch)
        XCTAssertEqual(output.logits.shape, [batch, classes])
        XCTAssertEqual(output.features.shape, [batch, 4 * channels])
        let reference = ReferenceNetwork(config: config, weights: weights)
        var expected: [Float] = []
        for b in 0..<batch {
            let image = Array(images[(b * 3 * size * size)..<((b + 1) * 3 * size * size)])
            expected += try reference.logits(image, height: size, width: size).map(Float.init)
        }
        let logits = output.logits.scalars(as: Float.self)
        XCTAssertLessThan(relativeError(logits, expected), 1e-5, "\(arch) \(size)px")
        XCTAssertEqual(argmaxRows(logits, columns: classes), argmaxRows(expected, columns: classes))
    }

    func testAllOpsMatchReference32px() throws {
        try checkAgainstReference(arch: Self.allOps, classes: 10, channels: 4, cells: 1, batch: 3, size: 12,
                                  microBatch: 16, threads: 1, seed: 1)
    }

    func testMicroBatchesAndThreadsGiveTheSameResult() throws {
        // 5 images in micro-batches of 2 (the last one partial) on 2 threads.
        try checkAgainstReference(arch: Self.allOps, classes: 7, channels: 4, cells: 2, batch: 5, size: 8,
                                  microBatch: 2, threads: 2, seed: 2)
    }

    /// Convolution edges from one source into consecutive nodes run as one stacked GEMM;
    /// non-consecutive ones (0->1 and 0->3 here) separately.
    func testStackedAndSplitConvolutionGroupsMatchReference() throws {
        try checkAgainstReference(arch: "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|nor_conv_3x3~0|nor_conv_1x1~1|nor_conv_3x3~2|",
                                  classes: 6, channels: 4, cells: 1, batch: 3, size: 8, microBatch: 2, threads: 2, seed: 11)
        try checkAgainstReference(arch: "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|nor_conv_3x3~0|nor_conv_1x1~1|avg_pool_3x3~2|",
                                  classes: 6, channels: 4, cells: 1, batch: 2, size: 8, microBatch: 16, threads: 1, seed: 12)
        let config = NetworkConfig(architecture: "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|nor_conv_3x3~0|nor_conv_1x1~1|avg_pool_3x3~2|",
                                   classes: 6, channels: 4, cellsPerStage: 1)
        let network = try TinyNetwork(config: config, weights: randomStateDict(try ParameterSpec(config), seed: 1))
        guard case let .infer(cell) = network.cells[0] else { return XCTFail("cell 0 is not a normal cell") }
        XCTAssertEqual(cell.convolutionGroups.map { [$0.source, $0.kernel, $0.firstTarget, $0.targetCount] },
                       [[0, 3, 1, 1], [0, 3, 3, 1], [1, 1, 3, 1]])
    }

    func testZeroNodesAndNonSquareInput() throws {
        let arch = "|none~0|+|none~0|none~1|+|avg_pool_3x3~0|skip_connect~1|nor_conv_1x1~2|"
        let config = NetworkConfig(architecture: arch, classes: 5, channels: 4, cellsPerStage: 1)
        let weights = randomStateDict(try ParameterSpec(config), seed: 3)
        let network = try TinyNetwork(config: config, weights: weights)
        var random = SplitMix64(state: 4)
        let images = (0..<(2 * 3 * 8 * 12)).map { _ in random.uniform(-1, 1) }
        let logits = try network.forward(Tensor(shape: [2, 3, 8, 12], scalars: images)).logits.scalars(as: Float.self)
        let reference = ReferenceNetwork(config: config, weights: weights)
        var expected: [Float] = []
        for b in 0..<2 {
            expected += try reference.logits(Array(images[(b * 288)..<((b + 1) * 288)]), height: 8, width: 12)
                .map(Float.init)
        }
        XCTAssertLessThan(relativeError(logits, expected), 1e-5)
    }

    func testRejectsInputThatCannotBeHalvedTwice() throws {
        let config = NetworkConfig(architecture: Self.allOps, classes: 3, channels: 4, cellsPerStage: 1)
        let network = try TinyNetwork(config: config, weights: randomStateDict(try ParameterSpec(config), seed: 5))
        XCTAssertThrowsError(try network.forward(Tensor(shape: [1, 3, 10, 10], scalars: [Float](repeating: 0, count: 300)))) {
            XCTAssertTrue("\($0)".contains("multiples of 4"), "\($0)")
        }
        XCTAssertThrowsError(try network.forward(Tensor(shape: [1, 1, 8, 8], scalars: [Float](repeating: 0, count: 64)))) {
            XCTAssertTrue("\($0)".contains("[batch, 3, height, width]"), "\($0)")
        }
    }

    func testNaNInInputIsAnErrorNamingTheImage() throws {
        let config = NetworkConfig(architecture: Self.allOps, classes: 3, channels: 4, cellsPerStage: 1)
        let network = try TinyNetwork(config: config, weights: randomStateDict(try ParameterSpec(config), seed: 6))
        var images = [Float](repeating: 0.5, count: 3 * 3 * 8 * 8)
        images[2 * 192 + 17] = .nan
        XCTAssertThrowsError(try network.forward(Tensor(shape: [3, 3, 8, 8], scalars: images))) {
            XCTAssertEqual($0 as? ForwardError, .nonFiniteInput(image: 2, count: 1))
        }
    }

    func testNaNInWeightsIsAWarningNamingTheTensorAndTheOutputIsRefused() throws {
        let config = NetworkConfig(architecture: Self.allOps, classes: 3, channels: 4, cellsPerStage: 1)
        var weights = randomStateDict(try ParameterSpec(config), seed: 7)
        var values = weights["cells.0.layers.0.op.1.weight"]!.scalars(as: Float.self)
        values[5] = .nan
        weights["cells.0.layers.0.op.1.weight"] = Tensor(shape: [4, 4, 3, 3], scalars: values)
        let network = try TinyNetwork(config: config, weights: weights)
        XCTAssertEqual(network.warnings.count, 1)
        XCTAssertTrue(network.warnings[0].contains("cells.0.layers.0.op.1.weight"), network.warnings[0])
        XCTAssertTrue(network.warnings[0].contains("1 NaN"), network.warnings[0])
        XCTAssertThrowsError(try network.forward(Tensor(shape: [1, 3, 8, 8], scalars: [Float](repeating: 0.5, count: 192)))) {
            guard case let .nonFiniteOutput(images, warnings)? = $0 as? ForwardError else { return XCTFail("\($0)") }
            XCTAssertEqual(images, [0])
            XCTAssertEqual(warnings, network.warnings)
        }
    }
}
