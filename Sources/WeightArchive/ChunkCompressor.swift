import Foundation
import HDF5

/// Compresses fixed-size chunks on worker threads (shuffle, then deflate: the
/// byte stream HDF5's own shuffle+deflate pipeline would produce) and hands them
/// back in submission order, so one thread can pass them to HDF5 with direct
/// chunk writes.
///
/// Memory is bounded: `submit` blocks while `maxInFlight` chunks are queued,
/// compressing or waiting to be taken. HDF5 is never called from the workers
/// (the library holds one global lock; only the caller's thread touches it).
public final class ChunkCompressor: @unchecked Sendable {
    public struct Compressed: Sendable {
        public let sequence: Int
        public let bytes: [UInt8]
    }

    /// The state the worker threads share; they keep it alive until they exit,
    /// so dropping the compressor without `shutdown()` cannot leave them on freed memory.
    private let core: Core

    public init(workers: Int, elementSize: Int, level: Int, strategy: Deflate.Strategy = .huffmanOnly,
                maxInFlight: Int? = nil) {
        core = Core(elementSize: elementSize, level: level, strategy: strategy,
                    maxInFlight: maxInFlight ?? max(4, 3 * workers))
        for i in 0..<max(1, workers) {
            let core = self.core
            let t = Thread { core.workLoop() }
            t.name = "nasdata-deflate-\(i)"
            t.start()
        }
    }

    deinit { core.shutdown() }

    /// Worker count for this machine: all cores (the caller's thread mostly waits on I/O).
    public static var defaultWorkers: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Queues one chunk (exactly the dataset's chunk size in bytes). While the
    /// pipeline is full it waits for the oldest chunk and hands it back (with any
    /// other finished ones, in order) for the caller to write: memory stays bounded
    /// and the caller's thread is never blocked on a chunk nobody takes.
    public func submit(_ chunk: [UInt8]) throws -> [Compressed] { try core.submit(chunk) }

    /// The chunks finished so far, in order (possibly none). Never blocks on compression.
    public func takeReady() throws -> [Compressed] { try core.takeReady() }

    /// Waits for every submitted chunk and returns the remaining ones in order.
    public func drain() throws -> [Compressed] { try core.drain() }

    /// Lets the worker threads finish (queued chunks are still compressed) and exit.
    public func shutdown() { core.shutdown() }
}

private final class Core: @unchecked Sendable {
    typealias Compressed = ChunkCompressor.Compressed

    private let elementSize: Int
    private let level: Int
    private let strategy: Deflate.Strategy
    private let maxInFlight: Int
    private let condition = NSCondition()
    private var queue: [(Int, [UInt8])] = []
    private var done: [Int: [UInt8]] = [:]
    private var nextSubmit = 0
    private var nextTake = 0
    private var failure: Error?
    private var stopping = false

    init(elementSize: Int, level: Int, strategy: Deflate.Strategy, maxInFlight: Int) {
        self.elementSize = elementSize
        self.level = level
        self.strategy = strategy
        self.maxInFlight = maxInFlight
    }

    /// Queues one chunk (exactly the dataset's chunk size in bytes). While the
    /// pipeline is full it waits for the oldest chunk and hands it back (with any
    /// other finished ones, in order) for the caller to write: memory stays bounded
    /// and the caller's thread is never blocked on a chunk nobody takes.
    func submit(_ chunk: [UInt8]) throws -> [Compressed] {
        condition.lock(); defer { condition.unlock() }
        var out: [Compressed] = []
        while nextSubmit - nextTake >= maxInFlight {
            if let failure { throw failure }
            if let bytes = done.removeValue(forKey: nextTake) {
                out.append(Compressed(sequence: nextTake, bytes: bytes))
                nextTake += 1
            } else {
                condition.wait()
            }
        }
        queue.append((nextSubmit, chunk))
        nextSubmit += 1
        while let bytes = done.removeValue(forKey: nextTake) {
            out.append(Compressed(sequence: nextTake, bytes: bytes))
            nextTake += 1
        }
        condition.broadcast()
        return out
    }

    /// The chunks finished so far, in order (possibly none). Never blocks on compression.
    func takeReady() throws -> [Compressed] {
        condition.lock(); defer { condition.unlock() }
        if let failure { throw failure }
        var out: [Compressed] = []
        while let bytes = done.removeValue(forKey: nextTake) {
            out.append(Compressed(sequence: nextTake, bytes: bytes))
            nextTake += 1
        }
        if !out.isEmpty { condition.broadcast() }
        return out
    }

    /// Waits for every submitted chunk and returns the remaining ones in order.
    func drain() throws -> [Compressed] {
        condition.lock(); defer { condition.unlock() }
        var out: [Compressed] = []
        while nextTake < nextSubmit {
            if let failure { throw failure }
            if let bytes = done.removeValue(forKey: nextTake) {
                out.append(Compressed(sequence: nextTake, bytes: bytes))
                nextTake += 1
                condition.broadcast()
            } else {
                condition.wait()
            }
        }
        return out
    }

    func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    func workLoop() {
        var scratch = [UInt8]()
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty && stopping { condition.unlock(); return }
            let (sequence, chunk) = queue.removeFirst()
            condition.unlock()

            let result: Result<[UInt8], Error>
            if scratch.count < chunk.count { scratch = [UInt8](repeating: 0, count: chunk.count) }
            let size = elementSize, level = level, strategy = strategy
            result = Result {
                try chunk.withUnsafeBytes { src in
                    try scratch.withUnsafeMutableBytes { dst in
                        ChunkEncoder.shuffle(src, elementSize: size, into: dst)
                        return try Deflate.compressLanes(UnsafeRawBufferPointer(rebasing: dst[0..<src.count]),
                                                         elementSize: size, level: level, strategy: strategy)
                    }
                }
            }
            condition.lock()
            switch result {
            case .success(let bytes): done[sequence] = bytes
            case .failure(let error): failure = error
            }
            condition.broadcast()
            condition.unlock()
        }
    }
}
