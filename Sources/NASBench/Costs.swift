import NASCore
/// Closed-form FLOPs and parameter counts of the NB201 training network (C=16, N=5).
///
/// Only convolutions and the linear classifier count, as upstream's `get_model_infos` counts;
/// BatchNorm running statistics are not parameters. Units are upstream's: millions (the
/// meta file's `flop` and `params` fields). The constants are derived from the network of
/// the reference §6 and were checked against stored values; the fixture tests recheck them
/// against upstream's own counter.
public struct Costs: Equatable, Sendable, Codable {
    /// Forward FLOPs of one image, in millions (upstream `flop`).
    public let flops: Double
    /// Trainable parameters, in millions (upstream `params`).
    public let params: Double

    public init(flops: Double, params: Double) {
        self.flops = flops
        self.params = params
    }

    /// The costs of `architecture` on `dataset` (its input size and class count).
    public init(architecture: Architecture, dataset: NB201Dataset) {
        self.init(architecture: architecture, inputSize: dataset.inputSize, classCount: dataset.classCount)
    }

    /// The costs for an input of `inputSize` (32 or 16) and `classCount` classes.
    public init(architecture: Architecture, inputSize: Int, classCount: Int) {
        precondition(inputSize == 32 || inputSize == 16, "closed forms exist for 32x32 and 16x16 inputs only")
        let n3 = Double(architecture.conv3x3Count), n1 = Double(architecture.conv1x1Count)
        let classes = Double(classCount)
        let flopCount: Double
        if inputSize == 32 {
            flopCount = 7_782_400 + 65 * classes + 35_389_440 * n3 + 3_932_160 * n1
        } else {
            flopCount = 1_945_600 + 65 * classes + 8_847_360 * n3 + 983_040 * n1
        }
        let paramCount = 72_656 + 65 * classes + 243_040 * n3 + 28_000 * n1
        self.init(flops: flopCount / 1e6, params: paramCount / 1e6)
    }
}

extension Architecture {
    /// Closed-form costs of this cell's network on `dataset`.
    public func costs(on dataset: NB201Dataset) -> Costs { Costs(architecture: self, dataset: dataset) }
}
