import Tensors
import NASCore

/// The NAS-Bench-201 training network (upstream `TinyNetwork`, §6 of the
/// reference) with its weights loaded strictly and prepared for eval-mode
/// inference: batch norms after convolutions are folded into them, the rest
/// become per-channel affine maps.
///
///     let net = try TinyNetwork(config: config, weights: stateDict)
///     for warning in net.warnings { print(warning) }   // NaN / Inf in a weight tensor
///     let out = try net.forward(images)                // [B, 3, H, W] float32
///     out.logits                                       // [B, classes]
public struct TinyNetwork: Sendable {
    public let config: NetworkConfig
    /// Problems that do not stop loading: each names a tensor holding NaN or Inf.
    public let warnings: [String]

    let stem: FoldedConvolution
    let cells: [Cell]
    /// `lastact.0` (BatchNorm2d before the final ReLU) as `x·scale + shift`.
    let lastScale: [Float]
    let lastShift: [Float]
    /// `classifier.weight` `[classes][features]` and `classifier.bias`.
    let classifierWeight: [Float]
    let classifierBias: [Float]

    enum Cell: Sendable {
        case infer(InferCell)
        case reduction(ReductionBlock)
    }

    /// A normal cell: node i = sum of op(node j) over its edges; output = node 3.
    struct InferCell: Sendable {
        struct Edge: Sendable {
            var source: Int
            var target: Int
            var operation: Operation
        }
        enum Operation: Sendable {
            case zero, identity, averagePool
            case convolution(FoldedConvolution)
        }
        let channels: Int
        let edges: [Edge]
        /// Sum of the folded biases of the convolution edges into node 1, 2, 3 (index 0 unused).
        let nodeBias: [[Float]]
        /// The convolution edges, merged where one source feeds consecutive target nodes with
        /// the same kernel: nodes 1-3 lie back to back in memory, so such edges are one GEMM with
        /// their weights stacked (the im2col matrix is packed by BLAS once instead of per edge).
        let convolutionGroups: [ConvolutionGroup]
    }

    struct ConvolutionGroup: Sendable {
        let source: Int
        let kernel: Int
        let firstTarget: Int
        let targetCount: Int
        /// `[targetCount·C][C·k·k]`: the edges' folded weights, in target order.
        let weights: [Float]
    }

    /// ResNet basic block, stride 2: `avgpool2 -> conv1x1` shortcut plus
    /// `ReLU-conv3x3(s2)-BN -> ReLU-conv3x3-BN`, no ReLU after the sum.
    struct ReductionBlock: Sendable {
        let convA: FoldedConvolution
        let convB: FoldedConvolution
        let shortcut: FoldedConvolution
    }

    /// Checks `weights` strictly against the config's parameter spec (throws
    /// `StateDictMismatch` listing every problem) and prepares the network.
    public init(config: NetworkConfig, weights: StateDict) throws {
        let spec = try ParameterSpec(config)
        try spec.check(weights)
        self.config = config

        var warnings: [String] = []
        for (name, tensor) in weights.entries where tensor.dtype.isFloatingPoint {
            let values = tensor.floatValues()
            let nan = values.reduce(0) { $0 + ($1.isNaN ? 1 : 0) }
            let inf = values.reduce(0) { $0 + ($1.isInfinite ? 1 : 0) }
            if nan + inf > 0 {
                warnings.append("warning: weight tensor \(name) \(tensor.shape) holds "
                                + [nan > 0 ? "\(nan) NaN" : nil, inf > 0 ? "\(inf) infinite" : nil]
                                    .compactMap { $0 }.joined(separator: " and ") + " value(s)")
            }
        }
        self.warnings = warnings

        stem = FoldedConvolution(conv: "stem.0", batchNorm: "stem.1", stride: 1, from: weights)
        let structure = try config.cell()
        var cells: [Cell] = []
        var channels = config.channels
        for index in 0..<config.cellCount {
            let prefix = "cells.\(index)"
            if config.reductionCells.contains(index) {
                cells.append(.reduction(ReductionBlock(
                    convA: FoldedConvolution(conv: prefix + ".conv_a.op.1", batchNorm: prefix + ".conv_a.op.2",
                                             stride: 2, from: weights),
                    convB: FoldedConvolution(conv: prefix + ".conv_b.op.1", batchNorm: prefix + ".conv_b.op.2",
                                             stride: 1, from: weights),
                    shortcut: FoldedConvolution(conv: prefix + ".downsample.1", batchNorm: nil, stride: 1,
                                                from: weights))))
                channels *= 2
                continue
            }
            var edges: [InferCell.Edge] = []
            var nodeBias = [[Float]](repeating: [Float](repeating: 0, count: channels), count: 4)
            for (j, edge) in structure.edges.enumerated() {
                let operation: InferCell.Operation
                switch edge.operation {
                case .zero: operation = .zero
                case .identity: operation = .identity
                case .averagePool: operation = .averagePool
                case .convolution:
                    let conv = FoldedConvolution(conv: "\(prefix).layers.\(j).op.1", batchNorm: "\(prefix).layers.\(j).op.2",
                                                 stride: 1, from: weights)
                    for c in 0..<channels { nodeBias[edge.target][c] += conv.bias[c] }
                    operation = .convolution(conv)
                }
                edges.append(.init(source: edge.source, target: edge.target, operation: operation))
            }
            var groups: [ConvolutionGroup] = []
            for source in 0...2 {
                for kernel in [3, 1] {
                    // Edges in string order have ascending targets for one source.
                    let convs: [(target: Int, weights: [Float])] = edges.compactMap { edge in
                        guard edge.source == source, case let .convolution(conv) = edge.operation,
                              conv.kernel == kernel else { return nil }
                        return (edge.target, conv.weights)
                    }
                    var start = 0
                    while start < convs.count {
                        var end = start + 1
                        while end < convs.count && convs[end].target == convs[end - 1].target + 1 { end += 1 }
                        groups.append(ConvolutionGroup(source: source, kernel: kernel, firstTarget: convs[start].target,
                                                       targetCount: end - start,
                                                       weights: convs[start..<end].flatMap(\.weights)))
                        start = end
                    }
                }
            }
            cells.append(.infer(InferCell(channels: channels, edges: edges, nodeBias: nodeBias,
                                          convolutionGroups: groups)))
        }
        self.cells = cells
        let (scale, shift) = FoldedConvolution.batchNormAffine("lastact.0", from: weights)
        lastScale = scale.map { Float($0) }
        lastShift = shift.map { Float($0) }
        classifierWeight = weights["classifier.weight"]!.floatValues()
        classifierBias = weights["classifier.bias"]!.floatValues()
    }

    /// Width of the pooled feature vector (4C = 64 in NAS-Bench-201).
    public var featureCount: Int { 4 * config.channels }
}
