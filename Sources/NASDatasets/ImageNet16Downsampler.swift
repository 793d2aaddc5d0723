import Foundation
import Concurrency
import ImageCodecs

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
/// Bounded memory: a batch's output (`count * size * size * 3` bytes) plus, per worker,
/// one file, one decoded image and the resize kernels of recent input sizes. The result
/// is positional, so the output order is the input order whatever the thread count or timing.
public final class ImageNet16Downsampler: @unchecked Sendable {
    public let options: ImageNet16DownsampleOptions
    private let workers: [Worker]

    public init(options: ImageNet16DownsampleOptions) {
        self.options = options
        workers = (0..<max(options.threads, 1)).map { _ in Worker(options: options) }
    }

    public var imageBytes: Int { options.size * options.size * 3 }

    /// Pillow's recipe for one file: open (by content), convert to RGB, resize BOX.
    /// Returns `size * size * 3` bytes of interleaved RGB (HWC).
    public static func downsample(path: String, decoder: ImageDecoder, size: Int, passOrder: BoxResize.PassOrder) throws -> [UInt8] {
        let bytes = try ILSVRCTree.readFile(path)
        let image = try decoder.decode(bytes, path: path)
        return BoxResize(from: (image.width, image.height), to: (size, size), passOrder: passOrder).resizeRGB(image.pixels)
    }

    /// One worker's decoder and buffers, reused image after image: after the first few
    /// images a worker allocates nothing per image (unless one is larger than all before it).
    final class Worker {
        let decoder = ImageDecoder()
        let size: Int
        let passOrder: BoxResize.PassOrder
        private var file: [UInt8] = []
        private var pixels: [UInt8] = []
        private var scratch: [UInt8] = []
        /// BoxResize kernels by input size (ImageNet has a few common sizes and a long tail).
        private var kernels: [Size: BoxResize] = [:]
        static let maxCachedKernels = 256
        /// Buffers grown past this by an odd huge image are released after it.
        static let keptBufferBytes = 64 << 20

        struct Size: Hashable { var width: Int; var height: Int }

        init(options: ImageNet16DownsampleOptions) {
            size = options.size
            passOrder = options.passOrder
            if options.fastDecode { decoder.dctScalingMinimumSide = options.size }
        }

        /// The recipe of `downsample(path:...)`, written to `output` (`size * size * 3` bytes).
        func downsample(path: String, into output: UnsafeMutableBufferPointer<UInt8>) throws {
            defer {
                if file.count > Self.keptBufferBytes { file = [] }
                if pixels.count > Self.keptBufferBytes { pixels = [] }
                if scratch.count > Self.keptBufferBytes { scratch = [] }
            }
            let length = try ILSVRCTree.readFile(path, into: &file)
            let (width, height) = try file.withUnsafeBufferPointer { f in
                try decoder.decode(UnsafeBufferPointer(rebasing: f[0..<length]), path: path, into: &pixels)
            }
            let box = kernel(width: width, height: height)
            pixels.withUnsafeBufferPointer { box.resizeRGB($0, into: output, scratch: &scratch) }
        }

        private func kernel(width: Int, height: Int) -> BoxResize {
            let key = Size(width: width, height: height)
            if let box = kernels[key] { return box }
            if kernels.count >= Self.maxCachedKernels { kernels.removeAll(keepingCapacity: true) }
            let box = BoxResize(from: (width, height), to: (size, size), passOrder: passOrder)
            kernels[key] = box
            return box
        }
    }

    /// Processes `paths` in parallel. `pixels` holds image i at `i * imageBytes`
    /// (zeros where `failures[i]` is not nil). `onEach` is called once per image, from
    /// worker threads (for progress).
    public func process(_ paths: [String], onEach: (@Sendable () -> Void)? = nil) -> (pixels: [UInt8], failures: [ImageFailure?]) {
        let n = paths.count
        let stride = imageBytes
        var pixels = [UInt8](repeating: 0, count: n * stride)
        let failures = UnsafeMutableBufferPointer<ImageFailure?>.allocate(capacity: max(n, 1))
        failures.initialize(repeating: nil)
        defer { failures.deinitialize().deallocate() }
        let counter = Counter()
        let threads = min(workers.count, max(n, 1))
        pixels.withUnsafeMutableBufferPointer { out in
            let shared = SharedBuffers(out: out, failures: failures)
            DispatchQueue.concurrentPerform(iterations: threads) { w in
                let worker = workers[w]
                while true {
                    let i = counter.next()
                    guard i < n else { break }
                    let slot = UnsafeMutableBufferPointer(rebasing: shared.out[(i * stride)..<((i + 1) * stride)])
                    do {
                        try worker.downsample(path: paths[i], into: slot)
                    } catch {
                        slot.update(repeating: 0)
                        shared.failures[i] = ImageFailure(path: paths[i], message: "\(error)")
                    }
                    onEach?()
                }
            }
        }
        return (pixels, Array(failures.prefix(n)))
    }
}

/// Hands out 0, 1, 2, ... to worker threads.
private final class Counter: Sendable {
    private let value = Locked(0)
    func next() -> Int {
        value.withLock { v in
            defer { v += 1 }
            return v
        }
    }
}

/// Worker threads write disjoint slots of these buffers.
private struct SharedBuffers: @unchecked Sendable {
    let out: UnsafeMutableBufferPointer<UInt8>
    let failures: UnsafeMutableBufferPointer<ImageFailure?>
}
