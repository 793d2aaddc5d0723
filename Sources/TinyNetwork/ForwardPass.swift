import Concurrency
import Tensors

/// Runs a network over batches of images of one size, reusing its buffers.
///
/// The batch is cut into micro-batches (default 16 images); with `threads` > 1 each
/// thread runs its own micro-batches with its own workspace and single-threaded
/// BLAS, which keeps both cores busy in the element-wise kernels too.
public final class ForwardPass: @unchecked Sendable {
    public let network: TinyNetwork
    public let height: Int
    public let width: Int
    public let microBatch: Int
    public let threads: Int
    private let workspaces: [Workspace]

    public init(network: TinyNetwork, height: Int, width: Int, microBatch: Int = 16, threads: Int = 1) throws {
        guard height >= 4, width >= 4, height % 4 == 0, width % 4 == 0 else {
            throw ForwardError.badInputShape([-1, 3, height, width],
                reason: "height and width must be multiples of 4 (the network halves them twice)")
        }
        self.network = network
        self.height = height
        self.width = width
        self.microBatch = max(1, microBatch)
        self.threads = max(1, threads)
        workspaces = (0..<self.threads).map { _ in
            Workspace(network: network, microBatch: max(1, microBatch), height: height, width: width)
        }
    }

    /// `images` is `[count][3][H][W]` float32 (PyTorch's NCHW); writes `[count][features]`
    /// and `[count][classes]`. Throws on NaN/Inf in the input or the logits.
    public func run(images: UnsafePointer<Float>, count: Int,
                    features: UnsafeMutablePointer<Float>?, logits: UnsafeMutablePointer<Float>) throws {
        let imageSize = 3 * height * width
        for i in 0..<count where Kernels.hasNonFinite(images + i * imageSize, count: imageSize) {
            var bad = 0
            for k in 0..<imageSize where !images[i * imageSize + k].isFinite { bad += 1 }
            throw ForwardError.nonFiniteInput(image: i, count: bad)
        }
        let batches = (count + microBatch - 1) / microBatch
        let workers = min(threads, batches)
        BLAS.threads = workers > 1 ? 1 : threads
        let io = Pointers(images: images, features: features, logits: logits)
        // Each worker takes the next micro-batch when it finishes one, always in its own workspace.
        let nextWorkspace = Locked(0)
        BoundedParallel.forEach(count: batches, jobs: workers,
                                makeState: { [workspaces] in nextWorkspace.withLock { i in defer { i += 1 }; return workspaces[i] } }) {
            [self] workspace, m in
            let first = m * microBatch
            let n = min(microBatch, count - first)
            runMicroBatch(workspace, images: io.images + first * imageSize, count: n,
                          features: io.features.map { $0 + first * network.featureCount },
                          logits: io.logits + first * network.config.classes)
        }

        let classes = network.config.classes
        var badImages: [Int] = []
        for i in 0..<count where Kernels.hasNonFinite(logits + i * classes, count: classes) { badImages.append(i) }
        if !badImages.isEmpty { throw ForwardError.nonFiniteOutput(images: badImages, warnings: network.warnings) }
    }

    private struct Pointers: @unchecked Sendable {
        let images: UnsafePointer<Float>
        let features: UnsafeMutablePointer<Float>?
        let logits: UnsafeMutablePointer<Float>
    }

    private func runMicroBatch(_ ws: Workspace, images: UnsafePointer<Float>, count b: Int,
                               features: UnsafeMutablePointer<Float>?, logits: UnsafeMutablePointer<Float>) {
        var h = height, w = width
        Kernels.batchMajorToChannelMajor(images, ws.input, batch: b, channels: 3, planeSize: h * w)
        Kernels.im2col3x3(ws.input, channels: 3, batch: b, height: h, width: w, stride: 1, col: ws.columns)
        // The stem writes to the last slot of block 1, so the first cell fills block 0.
        var current = ws.blocks[1] + 2 * network.config.channels * b * h * w
        var block = 0
        convolve(network.stem, columns: ws.columns, into: current, pixels: b * h * w, accumulate: false)

        for cell in network.cells {
            switch cell {
            case let .infer(infer):
                current = runInferCell(infer, ws, input: current, nodes: ws.blocks[block], batch: b, height: h, width: w)
            case let .reduction(reduction):
                current = runReduction(reduction, ws, input: current, into: ws.blocks[block], batch: b, height: h, width: w)
                h /= 2; w /= 2
            }
            block ^= 1
        }

        let x = current
        let channels = network.featureCount
        let perChannel = b * h * w
        for c in 0..<channels {
            let s = network.lastScale[c], t = network.lastShift[c]
            let p = x + c * perChannel
            for i in 0..<perChannel { let v = p[i] * s + t; p[i] = v < 0 ? 0 : v }
        }
        Kernels.globalAveragePool(x, channels: channels, batch: b, size: h * w, into: ws.features)
        if let features { features.update(from: ws.features, count: b * channels) }

        let classes = network.config.classes
        network.classifierBias.withUnsafeBufferPointer { bias in
            for i in 0..<b { (logits + i * classes).update(from: bias.baseAddress!, count: classes) }
        }
        network.classifierWeight.withUnsafeBufferPointer { weight in
            BLAS.gemm(m: b, n: classes, k: channels, a: ws.features, b: weight.baseAddress!, transposeB: true,
                      c: logits, accumulate: true)
        }
    }

    /// `out (=|+=) W · columns + bias` for a folded convolution over `pixels` output positions.
    private func convolve(_ conv: FoldedConvolution, columns: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                          pixels: Int, accumulate: Bool) {
        if !accumulate { Kernels.fill(out, channelValues: conv.bias, perChannel: pixels) }
        conv.weights.withUnsafeBufferPointer { weights in
            BLAS.gemm(m: conv.outChannels, n: pixels, k: conv.inChannels * conv.kernel * conv.kernel,
                      a: weights.baseAddress!, b: columns, c: out, accumulate: true)
        }
    }

    /// Runs a normal cell on `input`, writing nodes 1-3 back to back from `nodes`; returns node 3.
    private func runInferCell(_ cell: TinyNetwork.InferCell, _ ws: Workspace, input: UnsafeMutablePointer<Float>,
                              nodes: UnsafeMutablePointer<Float>,
                              batch b: Int, height h: Int, width w: Int) -> UnsafeMutablePointer<Float> {
        let pixels = b * h * w
        let total = cell.channels * pixels
        func node(_ k: Int) -> UnsafeMutablePointer<Float> { k == 0 ? input : nodes + (k - 1) * total }
        for k in 1...3 { Kernels.fill(node(k), channelValues: cell.nodeBias[k], perChannel: pixels) }
        for source in 0...2 {
            var hasConvolution = false, has3x3 = false
            for group in cell.convolutionGroups where group.source == source {
                hasConvolution = true
                if group.kernel == 3 { has3x3 = true }
            }
            for edge in cell.edges where edge.source == source {
                if case .projectedAveragePool = edge.operation { hasConvolution = true }
            }
            let x = node(source)
            let sourceChannels = source == 0 ? cell.inChannels : cell.channels
            if hasConvolution { Kernels.relu(x, ws.relu, count: sourceChannels * pixels) }
            if has3x3 {
                Kernels.im2col3x3(ws.relu, channels: sourceChannels, batch: b, height: h, width: w, stride: 1,
                                  col: ws.columns)
            }
            for edge in cell.edges where edge.source == source {
                let out = node(edge.target)
                switch edge.operation {
                case .zero: break
                case .identity: Kernels.add(x, into: out, count: total)
                case .averagePool:
                    Kernels.addAveragePool3x3(x, into: out, planes: cell.channels * b, height: h, width: w,
                                              rowSums: ws.rowSums)
                case .convolution: break  // below, by group
                case let .projection(conv):  // its bias is in nodeBias
                    convolve(conv, columns: x, into: out, pixels: pixels, accumulate: true)
                case let .projectedAveragePool(conv):
                    convolve(conv, columns: ws.relu, into: ws.projected, pixels: pixels, accumulate: false)
                    Kernels.addAveragePool3x3(ws.projected, into: out, planes: cell.channels * b, height: h, width: w,
                                              rowSums: ws.rowSums)
                }
            }
            for group in cell.convolutionGroups where group.source == source {
                group.weights.withUnsafeBufferPointer { weights in
                    BLAS.gemm(m: group.targetCount * cell.channels, n: pixels,
                              k: sourceChannels * group.kernel * group.kernel, a: weights.baseAddress!,
                              b: group.kernel == 3 ? ws.columns : ws.relu, c: node(group.firstTarget), accumulate: true)
                }
            }
        }
        return node(3)
    }

    /// Runs a reduction block on `input` using the block `scratch` (conv_a's output in its first
    /// slot, the result in its last); returns the result.
    private func runReduction(_ block: TinyNetwork.ReductionBlock, _ ws: Workspace, input x: UnsafeMutablePointer<Float>,
                              into scratch: UnsafeMutablePointer<Float>,
                              batch b: Int, height h: Int, width w: Int) -> UnsafeMutablePointer<Float> {
        let inChannels = block.convA.inChannels, outChannels = block.convA.outChannels
        let pixels = b * (h / 2) * (w / 2)
        let a = scratch, out = scratch + 2 * outChannels * pixels
        Kernels.relu(x, ws.relu, count: inChannels * b * h * w)
        Kernels.im2col3x3(ws.relu, channels: inChannels, batch: b, height: h, width: w, stride: 2, col: ws.columns)
        convolve(block.convA, columns: ws.columns, into: a, pixels: pixels, accumulate: false)
        Kernels.reluInPlace(a, count: outChannels * pixels)
        Kernels.im2col3x3(a, channels: outChannels, batch: b, height: h / 2, width: w / 2, stride: 1, col: ws.columns)
        convolve(block.convB, columns: ws.columns, into: out, pixels: pixels, accumulate: false)
        Kernels.averagePool2x2(x, ws.pooled, planes: inChannels * b, height: h, width: w)
        convolve(block.shortcut, columns: ws.pooled, into: out, pixels: pixels, accumulate: true)
        return out
    }
}

/// What a forward pass returns for a batch.
public struct ForwardOutput: Sendable {
    /// `[batch][featureCount]`: the globally pooled features upstream's forward returns first.
    public var features: Tensor
    /// `[batch][classes]`.
    public var logits: Tensor
}

extension TinyNetwork {
    /// Runs the network over `images` `[B, 3, H, W]` (any float dtype, converted to float32).
    public func forward(_ images: Tensor, threads: Int = 1, microBatch: Int = 16) throws -> ForwardOutput {
        guard images.shape.count == 4, images.shape[1] == 3, images.dtype.isFloatingPoint else {
            throw ForwardError.badInputShape(images.shape,
                reason: "expected float images [batch, 3, height, width], got \(images.dtype) \(images.shape)")
        }
        let b = images.shape[0]
        let pass = try ForwardPass(network: self, height: images.shape[2], width: images.shape[3],
                                   microBatch: min(microBatch, max(b, 1)), threads: threads)
        let input = images.dtype == .float32 ? images.scalars(as: Float.self) : images.floatValues()
        var features = [Float](repeating: 0, count: b * featureCount)
        var logits = [Float](repeating: 0, count: b * config.classes)
        try input.withUnsafeBufferPointer { x in
            try features.withUnsafeMutableBufferPointer { f in
                try logits.withUnsafeMutableBufferPointer { l in
                    guard b > 0 else { return }
                    try pass.run(images: x.baseAddress!, count: b, features: f.baseAddress!, logits: l.baseAddress!)
                }
            }
        }
        return ForwardOutput(features: Tensor(shape: [b, featureCount], scalars: features),
                             logits: Tensor(shape: [b, config.classes], scalars: logits))
    }
}
