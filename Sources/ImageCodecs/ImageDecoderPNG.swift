import CPNG

/// PNG decoding through libpng's simplified `png_image_*` API (the classic API
/// reports errors with longjmp, which Swift cannot catch).
///
/// Read as 8-bit RGBA and drop the alpha channel: that is Pillow's `RGBA -> RGB`
/// (no compositing), and for opaque RGB, greyscale and palette PNGs it is the plain
/// pixel values. Known difference from Pillow: libpng's simplified API converts to
/// sRGB using a `gAMA` chunk and reduces 16-bit samples through linear light, while
/// Pillow ignores gamma and keeps the high byte. ILSVRC2012's one PNG is 8-bit RGB.
enum PNGDecoder {
    static func decode(_ bytes: [UInt8], path: String, maxPixels: Int) throws -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        let begun = bytes.withUnsafeBufferPointer { buf in
            png_image_begin_read_from_memory(&image, buf.baseAddress, buf.count)
        }
        guard begun != 0 else { throw ImageDecodeError.corrupt(path: path, detail: message(&image)) }
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width * height <= maxPixels else {
            throw ImageDecodeError.badDimensions(path: path, width: width, height: height)
        }
        // PNG_FORMAT_RGBA is an expression macro Swift cannot import: COLOR | ALPHA.
        image.format = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
        var rgba = [UInt8](repeating: 0, count: width * height * 4)
        let finished = rgba.withUnsafeMutableBytes { dst in
            png_image_finish_read(&image, nil, dst.baseAddress, 0, nil)
        }
        guard finished != 0 else {
            let text = message(&image)
            let lower = text.lowercased()
            if lower.contains("eof") || lower.contains("truncat") || lower.contains("not enough") || lower.contains("read error") {
                throw ImageDecodeError.truncated(path: path, detail: text)
            }
            throw ImageDecodeError.corrupt(path: path, detail: text)
        }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        rgba.withUnsafeBufferPointer { src in
            rgb.withUnsafeMutableBufferPointer { out in
                for i in 0..<(width * height) {
                    out[i * 3] = src[i * 4]
                    out[i * 3 + 1] = src[i * 4 + 1]
                    out[i * 3 + 2] = src[i * 4 + 2]
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: rgb)
    }

    private static func message(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
