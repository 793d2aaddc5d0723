import CTurboJPEG

/// A decoded image as 8-bit interleaved RGB, `width * height * 3` bytes, row-major.
public struct RGBImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3)
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}

/// Why an image could not be decoded; always names the file.
public enum ImageDecodeError: Error, CustomStringConvertible, Equatable {
    /// The bytes are neither a JPEG nor a PNG.
    case unknownFormat(path: String)
    /// The file ends before the image data does (TurboJPEG's "premature end" warning, or libpng's).
    case truncated(path: String, detail: String)
    /// The decoder rejected the data.
    case corrupt(path: String, detail: String)
    /// The header gives a size nasdata refuses (0x0 from junk, or larger than the limit).
    case badDimensions(path: String, width: Int, height: Int)

    public var description: String {
        switch self {
        case let .unknownFormat(path): return "\(path): not a JPEG or PNG image"
        case let .truncated(path, detail): return "\(path): truncated image: \(detail)"
        case let .corrupt(path, detail): return "\(path): corrupt image: \(detail)"
        case let .badDimensions(path, w, h): return "\(path): unusable image size \(w)x\(h)"
        }
    }

    public var path: String {
        switch self {
        case let .unknownFormat(p), let .truncated(p, _), let .corrupt(p, _), let .badDimensions(p, _, _): return p
        }
    }
}

/// Decodes JPEG (libjpeg-turbo's TurboJPEG API) and PNG (libpng's simplified API)
/// to RGB the way Pillow's `Image.open(f).convert("RGB")` does:
///
/// * YCbCr and RGB JPEGs: TurboJPEG's default decode (accurate integer IDCT, fancy
///   upsampling), which is also what Pillow asks libjpeg for.
/// * Greyscale: the grey value copied to R, G and B (Pillow's `L` -> `RGB`).
/// * CMYK and YCCK: Pillow reads every 4-component JPEG as inverted ("Adobe")
///   CMYK and converts with `R = K' - K'*C/255` (its `MULDIV255` rounding), where
///   `C` and `K'` are the values as stored in the file; see `cmykToRGB`.
/// * The format is chosen by content, not by name: ILSVRC2012 has a PNG named `.JPEG`.
///
/// One decoder holds one TurboJPEG handle and is not thread-safe: give every worker its own.
public final class ImageDecoder {
    private let handle: tjhandle
    /// Images with more pixels than this are refused (bounded memory per worker).
    public var maxPixels: Int = 100_000_000
    /// Fast mode: let libjpeg-turbo scale by M/8 in the DCT domain to the smallest
    /// size that still has at least `minimumSide` pixels in each dimension. The result
    /// is then no longer Pillow-exact. `nil` (the default) decodes at full size.
    public var dctScalingMinimumSide: Int?

    public init() {
        guard let h = tjInitDecompress() else {
            fatalError("tjInitDecompress failed: \(String(cString: tjGetErrorStr2(nil)))")
        }
        handle = h
    }

    deinit { tjDestroy(handle) }

    /// Decodes `bytes` (the whole file) read from `path` (used in errors only).
    public func decode(_ bytes: [UInt8], path: String) throws -> RGBImage {
        var pixels: [UInt8] = []
        let size = try bytes.withUnsafeBufferPointer { try decode($0, path: path, into: &pixels) }
        pixels.removeLast(pixels.count - size.width * size.height * 3)
        return RGBImage(width: size.width, height: size.height, pixels: pixels)
    }

    /// Decodes `bytes` into `pixels` (interleaved RGB, `width * height * 3` bytes at the
    /// start; the array is grown when too small and never shrunk, so a worker that passes the
    /// same array for every image allocates only when an image is larger than all before it).
    public func decode(_ bytes: UnsafeBufferPointer<UInt8>, path: String, into pixels: inout [UInt8]) throws -> (width: Int, height: Int) {
        if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF {
            return try decodeJPEG(bytes, path: path, into: &pixels)
        }
        if bytes.count >= 8, bytes[0] == 0x89, bytes[1] == 0x50, bytes[2] == 0x4E, bytes[3] == 0x47 {
            let image = try PNGDecoder.decode(Array(bytes), path: path, maxPixels: maxPixels)
            Self.reserve(&pixels, image.pixels.count)
            pixels.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: image.pixels) }
            return (image.width, image.height)
        }
        throw ImageDecodeError.unknownFormat(path: path)
    }

    private static func reserve(_ buffer: inout [UInt8], _ count: Int) {
        if buffer.count < count { buffer = [UInt8](repeating: 0, count: count) }
    }

    private func errorText() -> String { String(cString: tjGetErrorStr2(handle)) }

    private func decodeJPEG(_ bytes: UnsafeBufferPointer<UInt8>, path: String, into pixels: inout [UInt8]) throws -> (width: Int, height: Int) {
        var width: Int32 = 0, height: Int32 = 0, subsamp: Int32 = 0, colorspace: Int32 = 0
        guard tjDecompressHeader3(handle, bytes.baseAddress, UInt(bytes.count), &width, &height, &subsamp, &colorspace) == 0 else {
            throw ImageDecodeError.corrupt(path: path, detail: errorText())
        }
        guard width > 0, height > 0, Int(width) * Int(height) <= maxPixels else {
            throw ImageDecodeError.badDimensions(path: path, width: Int(width), height: Int(height))
        }
        var outW = Int(width), outH = Int(height)
        if let minSide = dctScalingMinimumSide {
            (outW, outH) = Self.scaledSize(width: outW, height: outH, minimumSide: minSide)
        }
        let isCMYK = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        // CMYK (rare) decodes to its own array, then converts into `pixels`.
        var cmyk: [UInt8] = []
        if isCMYK { cmyk = [UInt8](repeating: 0, count: outW * outH * 4) } else { Self.reserve(&pixels, outW * outH * 3) }
        let rc = isCMYK ? decompress(bytes, into: &cmyk, width: outW, height: outH, format: TJPF_CMYK)
                        : decompress(bytes, into: &pixels, width: outW, height: outH, format: TJPF_RGB)
        if rc != 0 {
            let text = errorText()
            // A warning still leaves a full image. Truncation is a warning in libjpeg
            // (it pads with grey); Pillow refuses such a file, and so do we. Other
            // warnings (extraneous bytes before a marker, ...) Pillow accepts.
            if tjGetErrorCode(handle) == Int32(TJERR_FATAL.rawValue) {
                throw ImageDecodeError.corrupt(path: path, detail: text)
            }
            if Self.isTruncationWarning(text) {
                throw ImageDecodeError.truncated(path: path, detail: text)
            }
        }
        if isCMYK {
            Self.reserve(&pixels, outW * outH * 3)
            Self.cmykToRGB(cmyk, into: &pixels)
        }
        return (outW, outH)
    }

    private func decompress(_ bytes: UnsafeBufferPointer<UInt8>, into buffer: inout [UInt8], width: Int, height: Int, format: TJPF) -> Int32 {
        buffer.withUnsafeMutableBufferPointer { dst in
            tjDecompress2(handle, bytes.baseAddress, UInt(bytes.count), dst.baseAddress,
                          Int32(width), 0, Int32(height), Int32(format.rawValue), 0)
        }
    }

    static func isTruncationWarning(_ text: String) -> Bool {
        let t = text.lowercased()
        return t.contains("premature end") || t.contains("truncated") || t.contains("insufficient data")
    }

    /// Pillow's CMYK reading and conversion: the JPEG's stored values are taken as
    /// inverted CMYK (`rawmode "CMYK;I"`), then `cmyk2rgb` computes, per channel,
    /// `nk - MULDIV255(c, nk)` with `nk = 255 - k`, where `MULDIV255(a, b)` is
    /// `t = a*b + 128; ((t >> 8) + t) >> 8`. With stored values `C, K` that is
    /// `K - MULDIV255(255 - C, K)`.
    static func cmykToRGB(_ cmyk: [UInt8]) -> [UInt8] {
        var rgb = [UInt8](repeating: 0, count: cmyk.count / 4 * 3)
        cmykToRGB(cmyk, into: &rgb)
        return rgb
    }

    /// As `cmykToRGB(_:)`, into the first `cmyk.count / 4 * 3` bytes of `rgb`.
    static func cmykToRGB(_ cmyk: [UInt8], into rgb: inout [UInt8]) {
        let n = cmyk.count / 4
        precondition(rgb.count >= n * 3)
        cmyk.withUnsafeBufferPointer { src in
            rgb.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    let nk = Int(src[i * 4 + 3])
                    for c in 0..<3 {
                        let t = (255 - Int(src[i * 4 + c])) * nk + 128
                        let v = nk - (((t >> 8) + t) >> 8)
                        dst[i * 3 + c] = UInt8(clamping: v)
                    }
                }
            }
        }
    }

    /// The smallest TurboJPEG scaling factor (M/8 or other supported) that keeps both
    /// sides >= `minimumSide` (or the full size if none does).
    static func scaledSize(width: Int, height: Int, minimumSide: Int) -> (Int, Int) {
        var count: Int32 = 0
        guard let factors = tjGetScalingFactors(&count) else { return (width, height) }
        var best = (width, height)
        for i in 0..<Int(count) {
            let f = factors[i]
            guard f.num <= f.denom else { continue }  // never upscale
            let w = (width * Int(f.num) + Int(f.denom) - 1) / Int(f.denom)
            let h = (height * Int(f.num) + Int(f.denom) - 1) / Int(f.denom)
            if w >= minimumSide, h >= minimumSide, w * h < best.0 * best.1 { best = (w, h) }
        }
        return best
    }
}
