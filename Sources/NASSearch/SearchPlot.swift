import Foundation
import NASDataIO
import ImageCodecs

/// The papers' figure: test accuracy of the current best architecture against simulated search
/// time, one line (mean over runs) and a band (mean ± std) per algorithm, for one data set.
/// Drawn as SVG (text) and PNG (rasterised here, written with libpng's simplified API).
public struct SearchFigure: Sendable {
    public struct Series: Sendable {
        public var label: String
        public var color: (UInt8, UInt8, UInt8)
        public var mean: [Double]
        public var std: [Double]
    }
    public var title: String
    public var xLabel = "Simulated search time (seconds)"
    public var yLabel: String
    /// Shared time grid of every series.
    public var times: [Double]
    public var series: [Series]

    static let palette: [(UInt8, UInt8, UInt8)] = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40),
                                                   (148, 103, 189), (140, 86, 75)]

    /// The curves of `results` (one data set): at each of `ticks` times in (0, max budget], a run
    /// contributes the test accuracy of its best architecture among the evaluations finished by then
    /// (runs with none finished yet are left out of that tick's mean).
    public static func make(_ results: [SearchResult], ticks: Int = 150) throws -> SearchFigure {
        guard let first = results.first else { throw SearchError.invalidSetting("nothing to plot") }
        guard results.allSatisfy({ $0.dataset == first.dataset }) else {
            throw SearchError.invalidSetting("the results are on different data sets; plot one data set at a time")
        }
        let horizon = results.map(\.timeBudget).max()!
        let times = (1...ticks).map { horizon * Double($0) / Double(ticks) }
        var series: [Series] = []
        for (k, r) in results.enumerated() {
            var mean: [Double] = [], std: [Double] = []
            var cursor = [Int](repeating: -1, count: r.runs.count)  // last evaluation finished by the tick
            for t in times {
                var values: [Double] = []
                for (i, run) in r.runs.enumerated() {
                    let limit = run.counted
                    while cursor[i] + 1 < limit && run.evaluations[cursor[i] + 1].totalTime <= t { cursor[i] += 1 }
                    guard cursor[i] >= 0 else { continue }
                    let best = run.evaluations[cursor[i]].bestIndex
                    guard let a = r.testAccuracy[best] else {
                        throw SearchError.noFinalAccuracy(index: best, dataset: r.dataset.name,
                                                          schedule: r.finalSchedule.rawValue, set: r.dataset.testSet)
                    }
                    values.append(a)
                }
                let m = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
                mean.append(m)
                std.append(values.isEmpty ? .nan : (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count)).squareRoot())
            }
            series.append(Series(label: "\(r.algorithm.label) (\(r.runs.count) runs)", color: palette[k % palette.count],
                                 mean: mean, std: std))
        }
        return SearchFigure(title: "Searching results on \(first.dataset.displayName)",
                            yLabel: "Test accuracy on \(first.dataset.displayName) (%)", times: times, series: series)
    }

    /// Axis ranges: x from 0 to the last tick, y around the bands (rounded to nice steps).
    var yRange: (Double, Double) {
        var lo = Double.infinity, hi = -Double.infinity
        for s in series {
            for (m, d) in zip(s.mean, s.std) where m.isFinite { lo = min(lo, m - d); hi = max(hi, m + d) }
        }
        if !lo.isFinite { return (0, 100) }
        let step = niceStep((hi - lo) / 5)
        return ((lo / step).rounded(.down) * step, (hi / step).rounded(.up) * step + (hi == lo ? step : 0))
    }

    func niceStep(_ raw: Double) -> Double {
        guard raw > 0 else { return 1 }
        let p = pow(10, (log10(raw)).rounded(.down))
        for f in [1.0, 2, 2.5, 5, 10] where f * p >= raw { return f * p }
        return 10 * p
    }

    func ticks(_ lo: Double, _ hi: Double) -> [Double] {
        let step = niceStep((hi - lo) / 6)
        var out: [Double] = []
        var v = (lo / step).rounded(.up) * step
        while v <= hi + step * 1e-9 { out.append(v); v += step }
        return out
    }

    static func format(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v)
    }

    // Layout in user units; the PNG is drawn at `scale` pixels per unit.
    static let width = 800.0, height = 520.0
    static let left = 80.0, right = 20.0, top = 50.0, bottom = 60.0

    func mapX(_ x: Double) -> Double {
        let xmax = times.last ?? 1
        return SearchFigure.left + x / xmax * (SearchFigure.width - SearchFigure.left - SearchFigure.right)
    }
    func mapY(_ y: Double, _ range: (Double, Double)) -> Double {
        let h = SearchFigure.height - SearchFigure.top - SearchFigure.bottom
        return SearchFigure.top + (1 - (y - range.0) / (range.1 - range.0)) * h
    }

    /// The figure as an SVG document.
    public func svg() -> String {
        let W = SearchFigure.width, H = SearchFigure.height, L = SearchFigure.left, T = SearchFigure.top
        let R = W - SearchFigure.right, B = H - SearchFigure.bottom
        let yr = yRange
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        func rgb(_ c: (UInt8, UInt8, UInt8)) -> String { "rgb(\(c.0),\(c.1),\(c.2))" }
        func f(_ v: Double) -> String { String(format: "%.2f", v) }
        var out = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(W))\" height=\"\(Int(H))\" viewBox=\"0 0 \(Int(W)) \(Int(H))\" font-family=\"Helvetica, Arial, sans-serif\">",
                   "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"]
        for v in ticks(0, times.last ?? 1) {
            let x = mapX(v)
            out.append("<line x1=\"\(f(x))\" y1=\"\(f(T))\" x2=\"\(f(x))\" y2=\"\(f(B))\" stroke=\"#e5e5e5\"/>")
            out.append("<text x=\"\(f(x))\" y=\"\(f(B + 18))\" font-size=\"12\" text-anchor=\"middle\">\(SearchFigure.format(v))</text>")
        }
        for v in ticks(yr.0, yr.1) {
            let y = mapY(v, yr)
            out.append("<line x1=\"\(f(L))\" y1=\"\(f(y))\" x2=\"\(f(R))\" y2=\"\(f(y))\" stroke=\"#e5e5e5\"/>")
            out.append("<text x=\"\(f(L - 6))\" y=\"\(f(y + 4))\" font-size=\"12\" text-anchor=\"end\">\(SearchFigure.format(v))</text>")
        }
        out.append("<rect x=\"\(f(L))\" y=\"\(f(T))\" width=\"\(f(R - L))\" height=\"\(f(B - T))\" fill=\"none\" stroke=\"black\"/>")
        for s in series {
            let pts = zip(times, zip(s.mean, s.std)).filter { $0.1.0.isFinite }
            guard !pts.isEmpty else { continue }
            let upper = pts.map { "\(f(mapX($0.0))),\(f(mapY(min(yr.1, $0.1.0 + $0.1.1), yr)))" }
            let lower = pts.reversed().map { "\(f(mapX($0.0))),\(f(mapY(max(yr.0, $0.1.0 - $0.1.1), yr)))" }
            out.append("<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(rgb(s.color))\" fill-opacity=\"0.18\" stroke=\"none\"/>")
            out.append("<polyline points=\"\(pts.map { "\(f(mapX($0.0))),\(f(mapY($0.1.0, yr)))" }.joined(separator: " "))\" fill=\"none\" stroke=\"\(rgb(s.color))\" stroke-width=\"2\"/>")
        }
        for (k, s) in series.enumerated() {
            let y = B - 20 - Double(series.count - 1 - k) * 20
            out.append("<line x1=\"\(f(R - 200))\" y1=\"\(f(y))\" x2=\"\(f(R - 176))\" y2=\"\(f(y))\" stroke=\"\(rgb(s.color))\" stroke-width=\"3\"/>")
            out.append("<text x=\"\(f(R - 170))\" y=\"\(f(y + 4))\" font-size=\"13\">\(esc(s.label))</text>")
        }
        out.append("<text x=\"\(f((L + R) / 2))\" y=\"\(f(H - 16))\" font-size=\"14\" text-anchor=\"middle\">\(esc(xLabel))</text>")
        out.append("<text x=\"18\" y=\"\(f((T + B) / 2))\" font-size=\"14\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(f((T + B) / 2)))\">\(esc(yLabel))</text>")
        out.append("<text x=\"\(f(W / 2))\" y=\"30\" font-size=\"18\" text-anchor=\"middle\">\(esc(title))</text>")
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// The figure rasterised at `scale` pixels per SVG unit, as RGB bytes.
    public func raster(scale: Int = 2) -> (pixels: [UInt8], width: Int, height: Int) {
        var canvas = Canvas(width: Int(SearchFigure.width) * scale, height: Int(SearchFigure.height) * scale)
        let s = Double(scale)
        let L = SearchFigure.left, T = SearchFigure.top, R = SearchFigure.width - SearchFigure.right
        let B = SearchFigure.height - SearchFigure.bottom
        let yr = yRange
        let grid: (UInt8, UInt8, UInt8) = (229, 229, 229), black: (UInt8, UInt8, UInt8) = (0, 0, 0)
        let text = max(1, scale)  // font pixel size
        for v in ticks(0, times.last ?? 1) {
            canvas.line(mapX(v) * s, T * s, mapX(v) * s, B * s, grid, 1)
            canvas.text(SearchFigure.format(v), centerX: mapX(v) * s, y: (B + 8) * s, size: text, black)
        }
        for v in ticks(yr.0, yr.1) {
            canvas.line(L * s, mapY(v, yr) * s, R * s, mapY(v, yr) * s, grid, 1)
            canvas.text(SearchFigure.format(v), rightX: (L - 6) * s, y: mapY(v, yr) * s - Double(text * 5) / 2, size: text, black)
        }
        for s2 in series {
            let pts = zip(times, zip(s2.mean, s2.std)).filter { $0.1.0.isFinite }
            for (a, b) in zip(pts, pts.dropFirst()) {
                canvas.band(x0: mapX(a.0) * s, x1: mapX(b.0) * s,
                            top0: mapY(min(yr.1, a.1.0 + a.1.1), yr) * s, bottom0: mapY(max(yr.0, a.1.0 - a.1.1), yr) * s,
                            top1: mapY(min(yr.1, b.1.0 + b.1.1), yr) * s, bottom1: mapY(max(yr.0, b.1.0 - b.1.1), yr) * s,
                            s2.color, alpha: 0.18)
            }
        }
        for s2 in series {
            let pts = zip(times, s2.mean).filter { $0.1.isFinite }
            for (a, b) in zip(pts, pts.dropFirst()) {
                canvas.line(mapX(a.0) * s, mapY(a.1, yr) * s, mapX(b.0) * s, mapY(b.1, yr) * s, s2.color, 2 * s)
            }
        }
        canvas.rect(L * s, T * s, R * s, B * s, black)
        for (k, s2) in series.enumerated() {
            let y = (B - 20 - Double(series.count - 1 - k) * 20) * s
            canvas.line((R - 200) * s, y, (R - 176) * s, y, s2.color, 3 * s)
            canvas.text(s2.label, leftX: (R - 170) * s, y: y - Double(text * 5) / 2, size: text, black)
        }
        canvas.text(xLabel, centerX: (L + R) / 2 * s, y: (SearchFigure.height - 24) * s, size: text, black)
        canvas.verticalText(yLabel, x: 12 * s, centerY: (T + B) / 2 * s, size: text, black)
        canvas.text(title, centerX: SearchFigure.width / 2 * s, y: 16 * s, size: text * 2, black)
        return (canvas.pixels, canvas.width, canvas.height)
    }

    /// Writes `<stem>.svg` and `<stem>.png` (each atomically).
    public func write(stem: String, scale: Int = 2) throws {
        let svgText = svg()
        try writeText(svgText, to: stem + ".svg")
        let r = raster(scale: scale)
        try PNGWriter.writeRGB(r.pixels, width: r.width, height: r.height, to: stem + ".png")
    }
}

/// A small RGB rasteriser: thick lines, alpha-blended bands, rectangles and the 3x5 bitmap font.
struct Canvas {
    let width: Int, height: Int
    var pixels: [UInt8]

    init(width: Int, height: Int) {
        self.width = width; self.height = height
        pixels = [UInt8](repeating: 255, count: width * height * 3)
    }

    mutating func blend(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8), _ alpha: Double) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let at = (y * width + x) * 3
        for (k, v) in [c.0, c.1, c.2].enumerated() {
            pixels[at + k] = UInt8((Double(pixels[at + k]) * (1 - alpha) + Double(v) * alpha).rounded())
        }
    }

    /// A line of `thickness` pixels (coverage by distance to the segment, for smooth edges).
    mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ c: (UInt8, UInt8, UInt8), _ thickness: Double) {
        let r = thickness / 2
        let minX = Int((min(x0, x1) - r - 1).rounded(.down)), maxX = Int((max(x0, x1) + r + 1).rounded(.up))
        let minY = Int((min(y0, y1) - r - 1).rounded(.down)), maxY = Int((max(y0, y1) + r + 1).rounded(.up))
        let dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy
        for y in max(0, minY)...min(height - 1, max(0, maxY)) {
            for x in max(0, minX)...min(width - 1, max(0, maxX)) {
                let px = Double(x) + 0.5, py = Double(y) + 0.5
                let t = len2 == 0 ? 0 : max(0, min(1, ((px - x0) * dx + (py - y0) * dy) / len2))
                let ex = x0 + t * dx - px, ey = y0 + t * dy - py
                let d = (ex * ex + ey * ey).squareRoot()
                let coverage = max(0, min(1, r + 0.5 - d))
                if coverage > 0 { blend(x, y, c, coverage) }
            }
        }
    }

    mutating func rect(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ c: (UInt8, UInt8, UInt8)) {
        line(x0, y0, x1, y0, c, 1.5); line(x1, y0, x1, y1, c, 1.5)
        line(x1, y1, x0, y1, c, 1.5); line(x0, y1, x0, y0, c, 1.5)
    }

    /// Fills between two linearly interpolated edges over pixel columns x0..<x1.
    mutating func band(x0: Double, x1: Double, top0: Double, bottom0: Double, top1: Double, bottom1: Double,
                       _ c: (UInt8, UInt8, UInt8), alpha: Double) {
        let a = Int(x0.rounded()), b = Int(x1.rounded())
        guard b > a else { return }
        for x in a..<b {
            let t = (Double(x) + 0.5 - x0) / (x1 - x0)
            let top = top0 + t * (top1 - top0), bottom = bottom0 + t * (bottom1 - bottom0)
            guard bottom > top else { continue }
            for y in Int(top.rounded())..<Int(bottom.rounded()) { blend(x, y, c, alpha) }
        }
    }

    static func textWidth(_ s: String, size: Int) -> Double { Double(s.count * BitmapFont.advance * size) }

    mutating func text(_ s: String, leftX: Double, y: Double, size: Int, _ c: (UInt8, UInt8, UInt8)) {
        var cx = Int(leftX.rounded())
        let cy = Int(y.rounded())
        for ch in s {
            for (row, bits) in BitmapFont.glyph(ch).enumerated() {
                for col in 0..<BitmapFont.glyphWidth where bits & (1 << (BitmapFont.glyphWidth - 1 - col)) != 0 {
                    for dy in 0..<size { for dx in 0..<size { blend(cx + col * size + dx, cy + row * size + dy, c, 1) } }
                }
            }
            cx += BitmapFont.advance * size
        }
    }

    mutating func text(_ s: String, centerX: Double, y: Double, size: Int, _ c: (UInt8, UInt8, UInt8)) {
        text(s, leftX: centerX - Canvas.textWidth(s, size: size) / 2, y: y, size: size, c)
    }

    mutating func text(_ s: String, rightX: Double, y: Double, size: Int, _ c: (UInt8, UInt8, UInt8)) {
        text(s, leftX: rightX - Canvas.textWidth(s, size: size), y: y, size: size, c)
    }

    /// Text rotated 90 degrees counter-clockwise (reads bottom to top), centred on `centerY`.
    mutating func verticalText(_ s: String, x: Double, centerY: Double, size: Int, _ c: (UInt8, UInt8, UInt8)) {
        var cy = Int((centerY + Canvas.textWidth(s, size: size) / 2).rounded())
        let cx = Int(x.rounded())
        for ch in s {
            for (row, bits) in BitmapFont.glyph(ch).enumerated() {
                for col in 0..<BitmapFont.glyphWidth where bits & (1 << (BitmapFont.glyphWidth - 1 - col)) != 0 {
                    for dy in 0..<size { for dx in 0..<size { blend(cx + row * size + dy, cy - col * size - dx, c, 1) } }
                }
            }
            cy -= BitmapFont.advance * size
        }
    }
}

/// Writes `text` to `path` atomically (temp file, then rename).
func writeText(_ text: String, to path: String) throws {
    try AtomicOutput.write(to: path) { temp in try Data(text.utf8).write(to: URL(fileURLWithPath: temp)) }
}
