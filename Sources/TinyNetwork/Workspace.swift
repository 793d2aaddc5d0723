/// Every buffer one worker needs to run a micro-batch, allocated once and reused
/// for every micro-batch, so the hot loop allocates nothing.
final class Workspace: @unchecked Sendable {
    let microBatch: Int
    /// Two blocks of three CBHW activations each: an infer cell reads its input from one
    /// block and writes its nodes 1-3 back to back into the other (see `ConvolutionGroup`).
    let blocks: [UnsafeMutablePointer<Float>]
    /// ReLU of the source node (the input of its convolution edges).
    let relu: UnsafeMutablePointer<Float>
    /// im2col matrix of the largest 3x3 convolution.
    let columns: UnsafeMutablePointer<Float>
    /// The micro-batch's input, transposed to CBHW.
    let input: UnsafeMutablePointer<Float>
    /// The reduction block's 2x2-pooled shortcut input.
    let pooled: UnsafeMutablePointer<Float>
    /// A widening cell's projected node 0 before its 3x3 average pool (size space).
    let projected: UnsafeMutablePointer<Float>
    /// Horizontal sums of one plane (3x3 average pool).
    let rowSums: UnsafeMutablePointer<Float>
    /// `[B][features]` pooled features.
    let features: UnsafeMutablePointer<Float>

    init(network: TinyNetwork, microBatch: Int, height: Int, width: Int) {
        self.microBatch = microBatch
        let pixels = microBatch * height * width
        // The largest activation of any layer, at its resolution (stage 0 in the topology network).
        var activation = 0
        for (index, layer) in network.config.layers.enumerated() {
            let stage = network.config.layers[...index].filter(\.isReduction).count
            let stagePixels = pixels >> (2 * stage)
            let inputPixels = layer.isReduction ? stagePixels * 4 : stagePixels
            activation = max(activation, layer.outChannels * stagePixels, layer.inChannels * inputPixels)
        }
        let nodeSize = activation
        func make(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1))
            p.initialize(repeating: 0, count: max(n, 1))
            return p
        }
        blocks = (0..<2).map { _ in make(3 * nodeSize) }
        relu = make(activation)
        columns = make(max(9 * activation, 27 * pixels))
        input = make(3 * pixels)
        pooled = make(activation / 4)
        let projects = network.cells.contains { cell in
            guard case let .infer(infer) = cell else { return false }
            return infer.edges.contains { if case .projectedAveragePool = $0.operation { true } else { false } }
        }
        projected = make(projects ? activation : 1)
        rowSums = make(height * width)
        features = make(microBatch * network.featureCount)
    }

    deinit {
        for p in blocks { p.deallocate() }
        for p in [relu, columns, input, pooled, projected, rowSums, features] { p.deallocate() }
    }
}
