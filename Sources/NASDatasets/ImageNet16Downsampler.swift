import Foundation

/// How source images become ImageNet16 pixels.
public struct ImageNet16DownsampleOptions: Sendable {
    /// Output side (16 for ImageNet16; the recipe works for 32 and 64 too).
    public var size = 16
    /// Worker threads (default: every active core).
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Fast mode: let libjpeg-turbo downscale by up to 1/8 in the DCT domain before the
    /// BOX resize. Not Pillow-exact (the pixels differ by a few levels); off by default.
    public var fastDecode = false
    /// Pillow's pass order (13 and later by default; `.horizontalFirst` for older Pillow).
    public var passOrder: BoxResize.PassOrder = .pillow13

    public init() {}
}

/// An image that could not be used, with the reason (the decoder's message names the file).
public struct ImageFailure: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { message }
}

/// Decodes and BOX-resizes batches of images on worker threads.
///
/// Bounded memory: a batch's output (`count * size * size * 3` bytes) plus one decoded
/// image per worker. The result is positional, so the output order is the input order
/// whatever the thread count or timing.
public final class ImageNet16Downsampler: @unchecked Sendable {
    public let options: ImageNet16DownsampleOptions
    private let decoders: [ImageDecoder]

    public init(options: ImageNet16DownsampleOptions) {
        self.options = options
        decoders = (0..<max(options.threads, 1)).map { _ in
            let d = ImageDecoder()
            if options.fastDecode { d.dctScalingMinimumSide = options.size }
            return d
        }
    }

    public var imageBytes: Int { options.size * options.size * 3 }

    /// Pillow's recipe for one file: open (by content), convert to RGB, resize BOX.
    /// Returns `size * size * 3` bytes of interleaved RGB (HWC).
    public static func downsample(path: String, decoder: ImageDecoder, size: Int, passOrder: BoxResize.PassOrder) throws -> [UInt8] {
        let bytes = try ILSVRCTree.readFile(path)
        let image = try decoder.decode(bytes, path: path)
        return BoxResize(from: (image.width, image.height), to: (size, size), passOrder: passOrder).resizeRGB(image.pixels)
    }

    /// Processes `paths` in parallel. `pixels` holds image i at `i * imageBytes`
    /// (zeros where `failures[i]` is not nil). `onEach` is called once per image, from
    /// worker threads (for progress).
    public func process(_ paths: [String], onEach: (@Sendable () -> Void)? = nil) -> (pixels: [UInt8], failures: [ImageFailure?]) {
        let n = paths.count
        let stride = imageBytes
        let out = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(n * stride, 1))
        out.initialize(repeating: 0)
        defer { out.deallocate() }
        let failures = UnsafeMutableBufferPointer<ImageFailure?>.allocate(capacity: max(n, 1))
        failures.initialize(repeating: nil)
        defer { failures.deinitialize().deallocate() }
        let counter = Counter()
        let workers = min(decoders.count, max(n, 1))
        let shared = SharedBuffers(out: out, failures: failures)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let decoder = decoders[worker]
            while true {
                let i = counter.next()
                guard i < n else { break }
                do {
                    let rgb = try Self.downsample(path: paths[i], decoder: decoder, size: options.size, passOrder: options.passOrder)
                    rgb.withUnsafeBufferPointer { src in
                        _ = UnsafeMutableBufferPointer(rebasing: shared.out[(i * stride)..<((i + 1) * stride)]).initialize(from: src)
                    }
                } catch {
                    shared.failures[i] = ImageFailure(path: paths[i], message: "\(error)")
                }
                onEach?()
            }
        }
        return (Array(out.prefix(n * stride)), Array(failures.prefix(n)))
    }
}

/// Hands out 0, 1, 2, ... to worker threads.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock(); defer { lock.unlock() }
        value += 1
        return value - 1
    }
}

/// Worker threads write disjoint slots of these buffers.
private struct SharedBuffers: @unchecked Sendable {
    let out: UnsafeMutableBufferPointer<UInt8>
    let failures: UnsafeMutableBufferPointer<ImageFailure?>
}
