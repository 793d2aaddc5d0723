import Foundation
import HDF5
import Compression
import Concurrency

/// Compresses fixed-size chunks on worker threads (shuffle, then deflate: the
/// byte stream HDF5's own shuffle+deflate pipeline would produce) and hands them
/// back in submission order, so one thread can pass them to HDF5 with direct
/// chunk writes.
///
/// Memory is bounded: `submit` waits while `maxInFlight` chunks are queued,
/// compressing or waiting to be taken. HDF5 is never called from the workers
/// (the library holds one global lock; only the caller's thread touches it).
public final class ChunkCompressor: @unchecked Sendable {
    public struct Compressed: Sendable {
        public let sequence: Int
        public let bytes: [UInt8]
    }

    private let pool: OrderedWorkers<Result<[UInt8], Error>>
    private let maxInFlight: Int
    private let elementSize: Int
    private let level: Int
    private let strategy: Deflate.Strategy
    /// Shuffle buffers handed from job to job (one chunk each; as many as jobs run at once).
    private let buffers = BufferPool()
    private var taken = 0

    public init(workers: Int, elementSize: Int, level: Int, strategy: Deflate.Strategy = .huffmanOnly,
                maxInFlight: Int? = nil) {
        pool = OrderedWorkers(workers: workers, name: "nasdata-deflate")
        self.maxInFlight = maxInFlight ?? max(4, 3 * workers)
        self.elementSize = elementSize
        self.level = level
        self.strategy = strategy
    }

    deinit { pool.shutdown() }

    /// Worker count for this machine: all cores (the caller's thread mostly waits on I/O).
    public static var defaultWorkers: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Queues one chunk (exactly the dataset's chunk size in bytes). While the
    /// pipeline is full it waits for the oldest chunk and hands it back (with any
    /// other finished ones, in order) for the caller to write: memory stays bounded
    /// and the caller's thread is never blocked on a chunk nobody takes.
    public func submit(_ chunk: [UInt8]) throws -> [Compressed] {
        var out: [Compressed] = []
        while pool.pending >= maxInFlight, let result = pool.next() { out.append(try take(result)) }
        let size = elementSize, level = level, strategy = strategy, buffers = buffers
        pool.submit { cancelled in
            if cancelled { return .failure(CancellationError()) }
            var scratch = buffers.take(chunk.count)
            defer { buffers.give(scratch) }
            return Result {
                try chunk.withUnsafeBytes { src in
                    try scratch.withUnsafeMutableBytes { dst in
                        ChunkEncoder.shuffle(src, elementSize: size, into: dst)
                        return try Deflate.compressLanes(UnsafeRawBufferPointer(rebasing: dst[0..<src.count]),
                                                         elementSize: size, level: level, strategy: strategy)
                    }
                }
            }
        }
        return out + (try takeReady())
    }

    /// The chunks finished so far, in order (possibly none). Never waits on compression.
    public func takeReady() throws -> [Compressed] {
        var out: [Compressed] = []
        while let result = pool.nextIfDone() { out.append(try take(result)) }
        return out
    }

    /// Waits for every submitted chunk and returns the remaining ones in order.
    public func drain() throws -> [Compressed] {
        var out: [Compressed] = []
        while let result = pool.next() { out.append(try take(result)) }
        return out
    }

    /// Stops the worker threads (chunks not yet started are dropped).
    public func shutdown() { pool.shutdown() }

    private func take(_ result: Result<[UInt8], Error>) throws -> Compressed {
        defer { taken += 1 }
        return Compressed(sequence: taken, bytes: try result.get())
    }
}

/// Reusable byte buffers, so compressing a chunk does not allocate its shuffle buffer.
private final class BufferPool: Sendable {
    private let free = Locked<[[UInt8]]>([])

    func take(_ count: Int) -> [UInt8] {
        let buffer = free.withLock { $0.popLast() }
        if let buffer, buffer.count >= count { return buffer }
        return [UInt8](repeating: 0, count: count)
    }

    func give(_ buffer: [UInt8]) {
        free.withLock { $0.append(buffer) }
    }
}
