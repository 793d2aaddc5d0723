/// Pillow's `Image.resize(size, Image.BOX)` on 8-bit RGB, bit for bit.
///
/// Downsampled ImageNet (and so ImageNet16-120) was made with Pillow's BOX filter,
/// squashing the whole image. To rebuild it from the JPEGs, nasdata must produce the
/// same bytes as Pillow on the same decoded pixels, so this follows the arithmetic of
/// Pillow's `src/libImaging/Resample.c` (described here, not copied):
///
/// * Two separable passes with an 8-bit (clipped) intermediate image; a pass is
///   skipped when that dimension does not change. Horizontal first (producing only
///   the rows the vertical pass reads), except when the height shrinks by more than
///   twice as many pixels as the width (`inH - outH > 2 * (inW - outW)`, Pillow >= 13):
///   then vertical first. The order changes the rounding of the intermediate.
/// * Per output index `i` of a pass (input length `n`, output `m`): `scale = n / m`
///   (the box edges are Float32 in Pillow, so `n` is rounded through Float first),
///   `support = 0.5 * max(scale, 1)`, `center = (i + 0.5) * scale`; the input window
///   starts at `trunc(center - support + 0.5)` (clamped at 0) and ends at
///   `trunc(center + support + 0.5)` (clamped at `n`).
/// * Each input position `j` in the window gets weight 1 if
///   `-0.5 < (j - center + 0.5) * (1 / max(scale, 1)) <= 0.5`, else 0 (a product with
///   the reciprocal, as Pillow computes it, not a quotient: they differ at the edges); the weights are
///   divided by their sum (in Double), then turned into fixed point with 22 fraction
///   bits by rounding half away from zero (`Int32(0.5 + w * 2^22)`).
/// * A pixel is `(2^21 + sum(pixel * weight)) >> 22`, clamped to 0...255.
///
/// How it is computed here: inside one window every non-zero BOX weight is the same `w`, on a
/// contiguous run of inputs, so a pixel is `(2^21 + w * sum(pixels of the run)) >> 22`, the same
/// integer with one multiply per output instead of one per input (`Kernel.runs`, checked per kernel;
/// the general weighted sum stays as the fallback and as the reference in the tests).
public struct BoxResize: Sendable {
    /// Which pass runs first when both are needed.
    public enum PassOrder: String, Sendable, CaseIterable {
        /// Pillow >= 13: vertical first when the height shrinks by more than twice as
        /// many pixels as the width, else horizontal first.
        case pillow13
        /// Pillow < 13 (what made the 2017 Downsampled-ImageNet release): always horizontal first.
        case horizontalFirst
    }

    public let inputWidth: Int
    public let inputHeight: Int
    public let outputWidth: Int
    public let outputHeight: Int
    private let horizontal: Kernel?
    private let vertical: Kernel?

    static let precisionBits = 32 - 8 - 2

    /// The weights of one pass: for output index `i`, input window `start[i] ..< start[i] + count[i]`
    /// with fixed-point weights `weights[i * stride ..< i * stride + count[i]]`.
    struct Kernel: Sendable {
        var start: [Int]
        var count: [Int]
        var weights: [Int32]
        var stride: Int

        init(inputSize: Int, outputSize: Int) {
            let inSize = Double(Float(inputSize))
            let scale = inSize / Double(outputSize)
            let filterScale = max(scale, 1.0)
            let support = 0.5 * filterScale
            let stride = Int(support.rounded(.up)) * 2 + 1
            self.stride = stride
            start = []
            count = []
            weights = [Int32](repeating: 0, count: outputSize * stride)
            start.reserveCapacity(outputSize)
            count.reserveCapacity(outputSize)
            var w = [Double](repeating: 0, count: stride)
            let inverseFilterScale = 1.0 / filterScale
            for i in 0..<outputSize {
                let center = (Double(i) + 0.5) * scale
                let lo = max(Int(center - support + 0.5), 0)
                let hi = min(Int(center + support + 0.5), inputSize)
                let n = hi - lo
                var total = 0.0
                for j in 0..<n {
                    let t = (Double(j + lo) - center + 0.5) * inverseFilterScale
                    let v: Double = (t > -0.5 && t <= 0.5) ? 1.0 : 0.0
                    w[j] = v
                    total += v
                }
                for j in 0..<n {
                    let v = total != 0 ? w[j] / total : w[j]
                    let fixed = v * Double(1 << BoxResize.precisionBits)
                    weights[i * stride + j] = Int32(v < 0 ? -0.5 + fixed : 0.5 + fixed)
                }
                start.append(lo)
                count.append(n)
            }
            runs = Self.uniformRuns(start: start, count: count, weights: weights, stride: stride)
        }

        /// For output index `i`: the inputs with a non-zero weight are `start ..< start + count`, all with
        /// weight `weight`. Only when that holds for every output of the kernel, else `nil`.
        struct Run: Sendable {
            var start: Int
            var count: Int
            var weight: Int32
        }

        /// The uniform-box form of this kernel, or nil: then the general weighted sum runs.
        var runs: [Run]?

        /// A BOX window's non-zero weights are all `round(2^22 / total)`, and they are contiguous
        /// (the box test is monotonic in `j`), so `sum(pixel * w)` equals `w * sum(pixel)`, also under
        /// Int32 wrap-around (both are the same value mod 2^32). Checked here rather than assumed.
        static func uniformRuns(start: [Int], count: [Int], weights: [Int32], stride: Int) -> [Run]? {
            var runs: [Run] = []
            runs.reserveCapacity(start.count)
            for i in 0..<start.count {
                let row = weights[(i * stride)..<(i * stride + count[i])]
                guard let first = row.firstIndex(where: { $0 != 0 }) else {
                    runs.append(Run(start: start[i], count: 0, weight: 0))
                    continue
                }
                let last = row.lastIndex(where: { $0 != 0 })!
                let w = row[first]
                guard row[first...last].allSatisfy({ $0 == w }) else { return nil }
                runs.append(Run(start: start[i] + (first - i * stride), count: last - first + 1, weight: w))
            }
            return runs
        }
    }

    public let passOrder: PassOrder
    /// Use the uniform-box sums where a kernel allows them (always, for BOX); `false` forces the
    /// general weighted sums (tests compare the two).
    let uniformFastPath: Bool

    public init(from input: (width: Int, height: Int), to output: (width: Int, height: Int), passOrder: PassOrder = .pillow13) {
        self.init(from: input, to: output, passOrder: passOrder, uniformFastPath: true)
    }

    init(from input: (width: Int, height: Int), to output: (width: Int, height: Int), passOrder: PassOrder, uniformFastPath: Bool) {
        self.passOrder = passOrder
        self.uniformFastPath = uniformFastPath
        precondition(input.width > 0 && input.height > 0 && output.width > 0 && output.height > 0)
        inputWidth = input.width
        inputHeight = input.height
        outputWidth = output.width
        outputHeight = output.height
        horizontal = input.width == output.width ? nil : Kernel(inputSize: input.width, outputSize: output.width)
        vertical = input.height == output.height ? nil : Kernel(inputSize: input.height, outputSize: output.height)
    }

    @inline(__always)
    static func clip8(_ acc: Int32) -> UInt8 {
        let v = acc >> Int32(precisionBits)
        return v < 0 ? 0 : (v > 255 ? 255 : UInt8(v))
    }

    /// `clip8(2^21 + w * sum)`, with Int32 wrap-around exactly like the general path.
    @inline(__always)
    static func clip8(sum: UInt32, weight: Int32) -> UInt8 {
        clip8(Int32(1 << (precisionBits - 1)) &+ Int32(bitPattern: sum) &* weight)
    }

    /// Whether Pillow runs the vertical pass first for this size change.
    public var verticalFirst: Bool {
        let dh = inputHeight - outputHeight, dw = inputWidth - outputWidth
        return passOrder == .pillow13 && dh > 0 && dh > 2 * dw
    }

    /// Bytes of the intermediate image when both passes run (0 when one or none does).
    public var scratchBytes: Int {
        guard let v = vertical, horizontal != nil else { return 0 }
        if verticalFirst { return inputWidth * outputHeight * 3 }
        return (v.start[outputHeight - 1] + v.count[outputHeight - 1] - v.start[0]) * outputWidth * 3
    }

    /// Resizes interleaved RGB (`inputWidth * inputHeight * 3` bytes) into `output`
    /// (`outputWidth * outputHeight * 3` bytes, interleaved RGB).
    public func resizeRGB(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) {
        var scratch: [UInt8] = []
        resizeRGB(input, into: output, scratch: &scratch)
    }

    /// As `resizeRGB(_:into:)`, keeping the intermediate image in `scratch` (grown when too
    /// small, never shrunk: a worker passes the same array for every image).
    public func resizeRGB(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>, scratch: inout [UInt8]) {
        precondition(input.count >= inputWidth * inputHeight * 3)
        precondition(output.count >= outputWidth * outputHeight * 3)
        let src = input.baseAddress!, dst = output.baseAddress!
        switch (horizontal, vertical) {
        case (nil, nil):
            dst.update(from: src, count: outputWidth * outputHeight * 3)
        case let (h?, nil):
            horizontalPass(h, src, width: inputWidth, firstRow: 0, rows: inputHeight, outputWidth: outputWidth, into: dst)
        case let (nil, v?):
            verticalPass(v, src, width: inputWidth, firstRow: 0, outputHeight: outputHeight, into: dst)
        case let (h?, v?):
            if scratch.count < scratchBytes { scratch = [UInt8](repeating: 0, count: scratchBytes) }
            scratch.withUnsafeMutableBufferPointer { t in
                let tmp = t.baseAddress!
                if verticalFirst {
                    verticalPass(v, src, width: inputWidth, firstRow: 0, outputHeight: outputHeight, into: tmp)
                    horizontalPass(h, tmp, width: inputWidth, firstRow: 0, rows: outputHeight, outputWidth: outputWidth, into: dst)
                } else {
                    // Only the input rows the vertical pass will read.
                    let firstRow = v.start[0]
                    let lastRow = v.start[outputHeight - 1] + v.count[outputHeight - 1]
                    horizontalPass(h, src, width: inputWidth, firstRow: firstRow, rows: lastRow - firstRow,
                                   outputWidth: outputWidth, into: tmp)
                    verticalPass(v, tmp, width: outputWidth, firstRow: firstRow, outputHeight: outputHeight, into: dst)
                }
            }
        }
    }

    /// Rows `firstRow ..< firstRow + rows` of `input` (`width` pixels wide) resampled
    /// horizontally to `outputWidth`, written as rows `0 ..< rows` of `output`.
    private func horizontalPass(_ kernel: Kernel, _ input: UnsafePointer<UInt8>, width: Int, firstRow: Int,
                                rows: Int, outputWidth: Int, into output: UnsafeMutablePointer<UInt8>) {
        if uniformFastPath, let runs = kernel.runs {
            runs.withUnsafeBufferPointer { runs in
                for y in 0..<rows {
                    let src = input + (y + firstRow) * width * 3
                    var dst = output + y * outputWidth * 3
                    for run in runs {
                        let (r, g, b) = Self.sumRGB(src + run.start * 3, pixels: run.count)
                        dst[0] = Self.clip8(sum: r, weight: run.weight)
                        dst[1] = Self.clip8(sum: g, weight: run.weight)
                        dst[2] = Self.clip8(sum: b, weight: run.weight)
                        dst += 3
                    }
                }
            }
            return
        }
        let half = Int32(1) << Int32(Self.precisionBits - 1)
        kernel.weights.withUnsafeBufferPointer { k in
            for y in 0..<rows {
                let src = (y + firstRow) * width * 3
                let dst = y * outputWidth * 3
                for x in 0..<outputWidth {
                    let n = kernel.count[x], kb = x * kernel.stride
                    var r = half, g = half, b = half
                    var p = src + kernel.start[x] * 3
                    for j in 0..<n {
                        let w = k[kb + j]
                        r &+= Int32(input[p]) &* w
                        g &+= Int32(input[p + 1]) &* w
                        b &+= Int32(input[p + 2]) &* w
                        p += 3
                    }
                    output[dst + x * 3] = Self.clip8(r)
                    output[dst + x * 3 + 1] = Self.clip8(g)
                    output[dst + x * 3 + 2] = Self.clip8(b)
                }
            }
        }
    }

    /// Per-channel sums of `pixels` interleaved RGB pixels (wrapping; only their value mod 2^32 matters).
    ///
    /// Four pixels at a time: a 16-byte load of which the first 12 bytes (R G B x 4) are kept,
    /// widened to 16-bit lanes and added up; lanes 0, 3, 6, 9 are then R, and so on. A load
    /// only happens while at least 6 pixels (18 bytes) remain, so it never reads past the run.
    /// 16-bit lanes hold 256 groups of 255 before they would wrap, so they are folded every 256.
    @inline(__always)
    static func sumRGB(_ p: UnsafePointer<UInt8>, pixels: Int) -> (UInt32, UInt32, UInt32) {
        var r: UInt32 = 0, g: UInt32 = 0, b: UInt32 = 0
        var q = p, n = pixels
        let keep12 = SIMD16<UInt8>(255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 0)
        while n >= 6 {
            var acc = SIMD16<UInt16>()
            var groups = 0
            while n >= 6 && groups < 256 {
                let v = UnsafeRawPointer(q).loadUnaligned(as: SIMD16<UInt8>.self) & keep12
                acc &+= SIMD16<UInt16>(truncatingIfNeeded: v)
                q += 12
                n -= 4
                groups += 1
            }
            r &+= UInt32(acc[0]) &+ UInt32(acc[3]) &+ UInt32(acc[6]) &+ UInt32(acc[9])
            g &+= UInt32(acc[1]) &+ UInt32(acc[4]) &+ UInt32(acc[7]) &+ UInt32(acc[10])
            b &+= UInt32(acc[2]) &+ UInt32(acc[5]) &+ UInt32(acc[8]) &+ UInt32(acc[11])
        }
        for _ in 0..<n {
            r &+= UInt32(q[0])
            g &+= UInt32(q[1])
            b &+= UInt32(q[2])
            q += 3
        }
        return (r, g, b)
    }

    /// `input` (`width` pixels wide, its row 0 being source row `firstRow`) resampled
    /// vertically to `outputHeight` rows.
    private func verticalPass(_ kernel: Kernel, _ input: UnsafePointer<UInt8>, width: Int, firstRow: Int,
                              outputHeight: Int, into output: UnsafeMutablePointer<UInt8>) {
        let rowBytes = width * 3
        if uniformFastPath, let runs = kernel.runs {
            // Whole rows are added byte-wise into one accumulator row: contiguous, vectorisable.
            // (A temporary allocation: on the stack for the usual 16-pixel rows.)
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: rowBytes) { buffer in
                let sums = buffer.baseAddress!
                for (y, run) in runs.enumerated() {
                    sums.update(repeating: 0, count: rowBytes)
                    var row = input + (run.start - firstRow) * rowBytes
                    for _ in 0..<run.count {
                        for c in 0..<rowBytes { sums[c] &+= UInt32(row[c]) }
                        row += rowBytes
                    }
                    let dst = output + y * rowBytes
                    for c in 0..<rowBytes { dst[c] = Self.clip8(sum: sums[c], weight: run.weight) }
                }
            }
            return
        }
        let half = Int32(1) << Int32(Self.precisionBits - 1)
        kernel.weights.withUnsafeBufferPointer { k in
            for y in 0..<outputHeight {
                let lo = kernel.start[y] - firstRow, n = kernel.count[y], kb = y * kernel.stride
                for c in 0..<rowBytes {
                    var acc = half
                    var p = lo * rowBytes + c
                    for j in 0..<n {
                        acc &+= Int32(input[p]) &* k[kb + j]
                        p += rowBytes
                    }
                    output[y * rowBytes + c] = Self.clip8(acc)
                }
            }
        }
    }

    /// Convenience: resize an interleaved RGB array.
    public func resizeRGB(_ input: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: outputWidth * outputHeight * 3)
        input.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in resizeRGB(src, into: dst) }
        }
        return out
    }
}
