import Tensors
@testable import TinyNetwork
import NASCore

/// A deliberately naive float64 re-implementation of upstream's TinyNetwork forward
/// (NCHW, direct convolution loops, batch norm applied as written, no folding), used
/// to check the fast path on small networks.
struct ReferenceNetwork {
    let config: NetworkConfig
    let weights: StateDict

    typealias Activation = (c: Int, h: Int, w: Int, data: [Double])  // one image

    func value(_ name: String) -> [Double] { weights[name]!.floatValues().map(Double.init) }

    func conv(_ x: Activation, _ name: String, stride: Int) -> Activation {
        let w = weights[name]!, k = w.shape[2], out = w.shape[0], pad = k / 2
        let v = value(name)
        let ho = (x.h + 2 * pad - k) / stride + 1, wo = (x.w + 2 * pad - k) / stride + 1
        var y = [Double](repeating: 0, count: out * ho * wo)
        for o in 0..<out { for oy in 0..<ho { for ox in 0..<wo {
            var s = 0.0
            for c in 0..<x.c { for ky in 0..<k { for kx in 0..<k {
                let iy = oy * stride + ky - pad, ix = ox * stride + kx - pad
                if iy < 0 || iy >= x.h || ix < 0 || ix >= x.w { continue }
                s += v[((o * x.c + c) * k + ky) * k + kx] * x.data[(c * x.h + iy) * x.w + ix]
            }}}
            y[(o * ho + oy) * wo + ox] = s
        }}}
        return (out, ho, wo, y)
    }

    func batchNorm(_ x: Activation, _ prefix: String) -> Activation {
        let g = value(prefix + ".weight"), b = value(prefix + ".bias")
        let m = value(prefix + ".running_mean"), v = value(prefix + ".running_var")
        var y = x
        for c in 0..<x.c { for i in 0..<(x.h * x.w) {
            let j = c * x.h * x.w + i
            y.data[j] = (x.data[j] - m[c]) / (v[c] + 1e-5).squareRoot() * g[c] + b[c]
        }}
        return y
    }

    func relu(_ x: Activation) -> Activation { var y = x; y.data = y.data.map { max($0, 0) }; return y }

    func add(_ a: Activation, _ b: Activation) -> Activation {
        var y = a; for i in y.data.indices { y.data[i] += b.data[i] }; return y
    }

    func avgPool3(_ x: Activation) -> Activation {
        var y = x
        for c in 0..<x.c { for r in 0..<x.h { for q in 0..<x.w {
            var s = 0.0, n = 0.0
            for dy in -1...1 { for dx in -1...1 {
                let rr = r + dy, qq = q + dx
                if rr < 0 || rr >= x.h || qq < 0 || qq >= x.w { continue }
                s += x.data[(c * x.h + rr) * x.w + qq]; n += 1
            }}
            y.data[(c * x.h + r) * x.w + q] = s / n
        }}}
        return y
    }

    func avgPool2(_ x: Activation) -> Activation {
        let ho = x.h / 2, wo = x.w / 2
        var y = [Double](repeating: 0, count: x.c * ho * wo)
        for c in 0..<x.c { for r in 0..<ho { for q in 0..<wo {
            var s = 0.0
            for dy in 0...1 { for dx in 0...1 { s += x.data[(c * x.h + 2 * r + dy) * x.w + 2 * q + dx] } }
            y[(c * ho + r) * wo + q] = s / 4
        }}}
        return (x.c, ho, wo, y)
    }

    /// Logits of one image `[3][H][W]`.
    func logits(_ image: [Float], height: Int, width: Int) throws -> [Double] {
        var x: Activation = (3, height, width, image.map(Double.init))
        x = batchNorm(conv(x, "stem.0.weight", stride: 1), "stem.1")
        let cell = try config.cell()
        for index in 0..<config.cellCount {
            let p = "cells.\(index)"
            if config.reductionCells.contains(index) {
                let a = batchNorm(conv(relu(x), p + ".conv_a.op.1.weight", stride: 2), p + ".conv_a.op.2")
                let b = batchNorm(conv(relu(a), p + ".conv_b.op.1.weight", stride: 1), p + ".conv_b.op.2")
                x = add(conv(avgPool2(x), p + ".downsample.1.weight", stride: 1), b)
                continue
            }
            var nodes = [x]
            for target in 1...3 {
                var sum: Activation = (x.c, x.h, x.w, [Double](repeating: 0, count: x.data.count))
                for (j, edge) in cell.edges.enumerated() where edge.target == target {
                    let input = nodes[edge.source]
                    switch edge.operation {
                    case .zero: break
                    case .identity: sum = add(sum, input)
                    case .averagePool: sum = add(sum, avgPool3(input))
                    case .convolution:
                        sum = add(sum, batchNorm(conv(relu(input), "\(p).layers.\(j).op.1.weight", stride: 1),
                                                 "\(p).layers.\(j).op.2"))
                    }
                }
                nodes.append(sum)
            }
            x = nodes[3]
        }
        x = relu(batchNorm(x, "lastact.0"))
        let features = (0..<x.c).map { c in x.data[(c * x.h * x.w)..<((c + 1) * x.h * x.w)].reduce(0, +) / Double(x.h * x.w) }
        let w = value("classifier.weight"), b = value("classifier.bias")
        return (0..<config.classes).map { k in
            b[k] + (0..<x.c).reduce(0.0) { $0 + w[k * x.c + $1] * features[$1] }
        }
    }
}
