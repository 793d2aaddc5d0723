#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The element-wise and pooling kernels around the GEMMs.
///
/// Every activation is stored channel-major across the micro-batch, `[C][B][H][W]`
/// ("CBHW"), so that a convolution over the whole micro-batch is one GEMM whose
/// output is already in that layout: `W[Cout × Cin·k·k] · col[Cin·k·k × B·H·W]`.
/// A plane is one `H×W` image of one channel; `planes = C·B`.
enum Kernels {
    /// `dst = max(src, 0)`; a NaN stays NaN, as in PyTorch (so a bad weight is not hidden).
    static func relu(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { dst[i] = src[i] < 0 ? 0 : src[i] }
    }

    /// `x = max(x, 0)` in place; NaN stays NaN.
    static func reluInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count where x[i] < 0 { x[i] = 0 }
    }

    /// `dst += src`.
    static func add(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { dst[i] += src[i] }
    }

    /// Sets every element of channel c (each a run of `planeSize · batch` values) to `value[c]`.
    static func fill(_ dst: UnsafeMutablePointer<Float>, channelValues value: [Float], perChannel: Int) {
        for c in 0..<value.count {
            let v = value[c]
            let p = dst + c * perChannel
            if v == 0 { memset(p, 0, perChannel * MemoryLayout<Float>.stride) } else {
                for i in 0..<perChannel { p[i] = v }
            }
        }
    }

    /// `x[c] = x[c] * scale[c] + shift[c]` per channel (batch norm in eval mode).
    static func affine(_ x: UnsafeMutablePointer<Float>, scale: [Float], shift: [Float], perChannel: Int) {
        for c in 0..<scale.count {
            let s = scale[c], t = shift[c]
            let p = x + c * perChannel
            for i in 0..<perChannel { p[i] = p[i] * s + t }
        }
    }

    /// im2col for a 3×3 convolution with padding 1 and the given stride.
    ///
    /// `src` is CBHW `[C][B][H][W]`; `col` receives `[C·9][B·Ho·Wo]` with row
    /// `(c·3 + ky)·3 + kx` matching PyTorch's `weight[out][c][ky][kx]` flattening.
    static func im2col3x3(_ src: UnsafePointer<Float>, channels: Int, batch: Int, height h: Int, width w: Int,
                          stride s: Int, col: UnsafeMutablePointer<Float>) {
        let ho = (h - 1) / s + 1, wo = (w - 1) / s + 1
        let rowLength = batch * ho * wo
        for c in 0..<channels {
            for ky in 0..<3 {
                for kx in 0..<3 {
                    var out = col + ((c * 3 + ky) * 3 + kx) * rowLength
                    let dx = kx - 1
                    // Output columns whose input column ox·s + dx lies inside [0, w).
                    let oxFirst = dx < 0 ? (-dx + s - 1) / s : 0
                    let oxEnd = min(wo, (w - 1 - dx) / s + 1)
                    for b in 0..<batch {
                        let plane = src + (c * batch + b) * h * w
                        for oy in 0..<ho {
                            let iy = oy * s + ky - 1
                            if iy < 0 || iy >= h {
                                memset(out, 0, wo * MemoryLayout<Float>.stride)
                            } else {
                                let row = plane + iy * w + dx
                                for ox in 0..<oxFirst { out[ox] = 0 }
                                if s == 1 {
                                    if oxEnd > oxFirst {
                                        memcpy(out + oxFirst, row + oxFirst, (oxEnd - oxFirst) * MemoryLayout<Float>.stride)
                                    }
                                } else {
                                    for ox in oxFirst..<oxEnd { out[ox] = row[ox * s] }
                                }
                                for ox in max(oxEnd, oxFirst)..<wo { out[ox] = 0 }
                            }
                            out += wo
                        }
                    }
                }
            }
        }
    }

    /// `dst += avgpool3x3(src)` with stride 1, padding 1 and `count_include_pad=False`:
    /// each output divides by the number of window pixels inside the image.
    /// `rowSums` is scratch of at least `h·w` floats.
    static func addAveragePool3x3(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>,
                                  planes: Int, height h: Int, width w: Int,
                                  rowSums: UnsafeMutablePointer<Float>) {
        for p in 0..<planes {
            let x = src + p * h * w, y = dst + p * h * w
            // Horizontal 3-sums, then vertical 3-sums of those.
            for r in 0..<h {
                let xr = x + r * w, sr = rowSums + r * w
                for c in 0..<w {
                    var v = xr[c]
                    if c > 0 { v += xr[c - 1] }
                    if c + 1 < w { v += xr[c + 1] }
                    sr[c] = v
                }
            }
            for r in 0..<h {
                let rows = 1 + (r > 0 ? 1 : 0) + (r + 1 < h ? 1 : 0)
                for c in 0..<w {
                    let cols = 1 + (c > 0 ? 1 : 0) + (c + 1 < w ? 1 : 0)
                    var v = rowSums[r * w + c]
                    if r > 0 { v += rowSums[(r - 1) * w + c] }
                    if r + 1 < h { v += rowSums[(r + 1) * w + c] }
                    y[r * w + c] += v / Float(rows * cols)
                }
            }
        }
    }

    /// `dst = avgpool2x2(src)`, stride 2, no padding (the reduction block's shortcut).
    static func averagePool2x2(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                               planes: Int, height h: Int, width w: Int) {
        let ho = h / 2, wo = w / 2
        for p in 0..<planes {
            let x = src + p * h * w, y = dst + p * ho * wo
            for oy in 0..<ho {
                let r0 = x + 2 * oy * w, r1 = r0 + w
                for ox in 0..<wo {
                    y[oy * wo + ox] = (r0[2 * ox] + r0[2 * ox + 1] + r1[2 * ox] + r1[2 * ox + 1]) * 0.25
                }
            }
        }
    }

    /// Mean of each `size`-long plane of CBHW `[C][B][size]`, written batch-major `[B][C]`.
    static func globalAveragePool(_ src: UnsafePointer<Float>, channels: Int, batch: Int, size: Int,
                                  into dst: UnsafeMutablePointer<Float>) {
        let inverse = 1 / Float(size)
        for c in 0..<channels {
            for b in 0..<batch {
                let x = src + (c * batch + b) * size
                var sum: Float = 0
                for i in 0..<size { sum += x[i] }
                dst[b * channels + c] = sum * inverse
            }
        }
    }

    /// NCHW `[B][C][H·W]` (PyTorch's layout) -> CBHW `[C][B][H·W]`.
    static func batchMajorToChannelMajor(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                                         batch: Int, channels: Int, planeSize: Int) {
        for b in 0..<batch {
            for c in 0..<channels {
                memcpy(dst + (c * batch + b) * planeSize, src + (b * channels + c) * planeSize,
                       planeSize * MemoryLayout<Float>.stride)
            }
        }
    }

    /// True when any element is NaN or infinite.
    static func hasNonFinite(_ x: UnsafePointer<Float>, count: Int) -> Bool {
        for i in 0..<count where !x[i].isFinite { return true }
        return false
    }
}
