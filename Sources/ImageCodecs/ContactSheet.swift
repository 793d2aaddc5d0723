import CPNG
import NASDataIO

/// A grid of images with a label under each, written as a PNG with libpng's
/// simplified `png_image_*` API (the classic API reports errors with longjmp, which
/// Swift cannot handle).
public struct ContactSheet {
    public let columns: Int
    /// Each image is enlarged by this integer factor (nearest neighbour) so 16x16 and
    /// 32x32 images are big enough to see.
    public let scale: Int
    private let imageWidth: Int
    private let imageHeight: Int
    private let cellWidth: Int
    private let cellHeight: Int
    private let margin = 4
    private let labelHeight = BitmapFont.glyphHeight + 3

    public private(set) var pixels: [UInt8]
    public let width: Int
    public let height: Int

    /// A sheet for `count` images of `imageHeight` x `imageWidth` x 3.
    public init(count: Int, imageHeight: Int, imageWidth: Int, columns: Int? = nil, scale: Int? = nil) {
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        // Enough room under each image for about 16 characters of label.
        let scale = scale ?? max(1, (64 + imageWidth - 1) / imageWidth)
        self.scale = scale
        let columns = max(1, min(columns ?? Int(Double(count).squareRoot().rounded(.up)), max(count, 1)))
        self.columns = columns
        let rows = max(1, (count + columns - 1) / columns)
        cellWidth = imageWidth * scale + margin
        cellHeight = imageHeight * scale + labelHeight + margin
        width = columns * cellWidth + margin
        height = rows * cellHeight + margin
        pixels = [UInt8](repeating: 32, count: width * height * 3) // dark grey background
    }

    /// Places image `index` (HWC bytes) with its caption.
    public mutating func place(_ index: Int, image: ArraySlice<UInt8>, caption: String) {
        precondition(image.count == imageWidth * imageHeight * 3)
        let x0 = margin + (index % columns) * cellWidth
        let y0 = margin + (index / columns) * cellHeight
        let base = image.startIndex
        for y in 0..<(imageHeight * scale) {
            let sy = y / scale
            for x in 0..<(imageWidth * scale) {
                let src = base + (sy * imageWidth + x / scale) * 3
                let dst = ((y0 + y) * width + x0 + x) * 3
                pixels[dst] = image[src]
                pixels[dst + 1] = image[src + 1]
                pixels[dst + 2] = image[src + 2]
            }
        }
        BitmapFont.draw(caption, into: &pixels, width: width, x: x0, y: y0 + imageHeight * scale + 2,
                        maxWidth: imageWidth * scale, color: (235, 235, 235))
    }

    /// Writes the sheet as an 8-bit RGB PNG, atomically (temp file, then rename).
    public func writePNG(to path: String) throws {
        try PNGWriter.writeRGB(pixels, width: width, height: height, to: path)
    }
}

/// 8-bit RGB PNG files through libpng's simplified API, written atomically (temp file, then rename).
public enum PNGWriter {
    public static func writeRGB(_ pixels: [UInt8], width: Int, height: Int, to path: String) throws {
        precondition(pixels.count == width * height * 3, "RGB buffer does not match \(width)x\(height)")
        try AtomicOutput.write(to: path) { temp in
            var image = png_image()
            image.version = UInt32(PNG_IMAGE_VERSION)
            image.width = UInt32(width)
            image.height = UInt32(height)
            image.format = UInt32(PNG_FORMAT_RGB)
            let ok = pixels.withUnsafeBytes { raw in
                png_image_write_to_file(&image, temp, 0, raw.baseAddress, Int32(width * 3), nil)
            }
            let message = withUnsafeBytes(of: image.message) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            png_image_free(&image)
            guard ok != 0 else {
                throw IOError.malformed(path: path, offset: nil, reason: "libpng could not write the PNG: \(message)")
            }
        }
    }
}
