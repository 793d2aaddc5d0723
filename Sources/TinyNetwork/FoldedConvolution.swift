import Tensors

/// A bias-free convolution with the batch norm after it folded in:
/// `BN(conv(x)) = conv'(x) + bias'` with `conv' = conv · γ/√(σ²+ε)` per output
/// channel and `bias' = β − μ·γ/√(σ²+ε)`. Exact up to float rounding (the fold is
/// computed in double), because eval-mode batch norm is a per-channel affine map.
struct FoldedConvolution: Sendable {
    let outChannels: Int
    let inChannels: Int
    let kernel: Int
    let stride: Int
    /// `[out][in·k·k]`, PyTorch's weight layout flattened.
    let weights: [Float]
    /// One per output channel (zeros when there is no batch norm).
    let bias: [Float]

    static let batchNormEpsilon = 1e-5

    /// `prefix.weight` of a conv and, when `batchNorm` is given, the four tensors of that BatchNorm2d.
    init(conv: String, batchNorm: String?, stride: Int, from weights: StateDict) {
        let w = weights[conv + ".weight"]!
        outChannels = w.shape[0]
        inChannels = w.shape[1]
        kernel = w.shape[2]
        self.stride = stride
        let raw = w.floatValues()
        guard let batchNorm else {
            self.weights = raw
            bias = [Float](repeating: 0, count: outChannels)
            return
        }
        let (scale, shift) = FoldedConvolution.batchNormAffine(batchNorm, from: weights)
        let perOutput = inChannels * kernel * kernel
        var folded = raw
        for o in 0..<outChannels {
            for i in 0..<perOutput {
                folded[o * perOutput + i] = Float(Double(raw[o * perOutput + i]) * scale[o])
            }
        }
        self.weights = folded
        bias = shift.map { Float($0) }
    }

    /// Eval-mode BatchNorm2d as `x·scale + shift` per channel, in double.
    static func batchNormAffine(_ prefix: String, from weights: StateDict) -> (scale: [Double], shift: [Double]) {
        func values(_ name: String) -> [Double] { weights[prefix + "." + name]!.floatValues().map(Double.init) }
        let gamma = values("weight"), beta = values("bias")
        let mean = values("running_mean"), variance = values("running_var")
        let scale = (0..<gamma.count).map { gamma[$0] / (variance[$0] + batchNormEpsilon).squareRoot() }
        let shift = (0..<gamma.count).map { beta[$0] - mean[$0] * scale[$0] }
        return (scale, shift)
    }
}
