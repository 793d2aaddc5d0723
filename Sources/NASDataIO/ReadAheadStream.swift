import Concurrency

/// Reads another stream on its own thread, a few chunks ahead of the reader: the producer
/// (a bz2 decompressor, say) and the consumer (an unpickler) then run on two cores.
///
/// The bytes, their order and the point where an error surfaces are those of the base stream:
/// the reader gets every byte the base delivered before it failed, then the base's error. At
/// most `depth` chunks of `chunkSize` bytes are read ahead (jobs of a one-thread
/// `OrderedWorkers`), so memory is bounded whatever the stream's length. When this stream is
/// released, the reads not yet started are cancelled.
public final class ReadAheadStream: ByteStream {
    /// One read of the base stream: its bytes, then whether the base ended or failed there.
    private struct Chunk: Sendable {
        var bytes: [UInt8]
        var ended = false
        var failure: (any Error)?
    }

    /// The base stream, used only by the pool's one thread, one job after another.
    private final class Source: @unchecked Sendable {
        let base: ByteStream
        var finished = false
        init(_ base: ByteStream) { self.base = base }
    }

    public let path: String
    public private(set) var offset: Int64 = 0
    private let source: Source
    private let chunkSize: Int
    private let pool = OrderedWorkers<Chunk>(workers: 1, name: "nasdata-read-ahead")
    private var current: [UInt8] = []
    private var position = 0
    /// After the current bytes: the end (nil) or the base's error, once a chunk said so.
    private var last: Chunk?

    public init(_ base: ByteStream, chunkSize: Int = 1 << 20, depth: Int = 4) {
        path = base.path
        source = Source(base)
        self.chunkSize = chunkSize
        for _ in 0..<max(1, depth) { submitRead() }
    }

    deinit { pool.shutdown() }

    private func submitRead() {
        let (source, size) = (self.source, chunkSize)
        pool.submit { cancelled in
            guard !cancelled, !source.finished else { return Chunk(bytes: [], ended: true) }
            var chunk = Chunk(bytes: [UInt8](repeating: 0, count: size))
            var filled = 0
            do {
                while filled < size {
                    let got = try chunk.bytes.withUnsafeMutableBytes {
                        try source.base.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...]))
                    }
                    if got == 0 { chunk.ended = true; break }
                    filled += got
                }
            } catch {
                chunk.failure = error
            }
            chunk.bytes.removeSubrange(filled...)
            source.finished = chunk.ended || chunk.failure != nil
            return chunk
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while position == current.count {
            if let last {
                if let failure = last.failure { throw failure }
                return 0
            }
            let chunk = pool.next()!   // `depth` reads stay submitted until one ends the stream
            (current, position) = (chunk.bytes, 0)
            if chunk.ended || chunk.failure != nil { last = chunk } else { submitRead() }
        }
        let n = min(buffer.count, current.count - position)
        current.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
        position += n
        offset += Int64(n)
        return n
    }
}
