import Foundation

/// Reads another stream on its own thread, a few chunks ahead of the reader: the producer
/// (a bz2 decompressor, say) and the consumer (an unpickler) then run on two cores.
///
/// The bytes, their order and the point where an error surfaces are those of the base stream:
/// the reader gets every byte the base delivered before it failed, then the base's error. At
/// most `depth` chunks of `chunkSize` bytes are held, so memory is bounded whatever the stream's
/// length. When this stream is released, the producer stops after its current read.
public final class ReadAheadStream: ByteStream {
    /// What the two threads share; the producer holds it and the base stream, not `self`.
    private final class Shared: @unchecked Sendable {
        let condition = NSCondition()
        var ready: [[UInt8]] = []
        var failure: Error?
        var ended = false
        var stopping = false
    }

    public let path: String
    public private(set) var offset: Int64 = 0
    private let shared = Shared()
    private var current: [UInt8] = []
    private var position = 0

    public init(_ base: ByteStream, chunkSize: Int = 1 << 20, depth: Int = 4) {
        path = base.path
        let shared = self.shared
        let source = UncheckedBox(base)
        let thread = Thread {
            ReadAheadStream.produce(source.value, into: shared, chunkSize: chunkSize, depth: max(1, depth))
        }
        thread.name = "nasdata-read-ahead"
        thread.start()
    }

    deinit {
        shared.condition.lock()
        shared.stopping = true
        shared.condition.broadcast()
        shared.condition.unlock()
    }

    private static func produce(_ base: ByteStream, into shared: Shared, chunkSize: Int, depth: Int) {
        while true {
            shared.condition.lock()
            while shared.ready.count >= depth && !shared.stopping { shared.condition.wait() }
            let stop = shared.stopping
            shared.condition.unlock()
            if stop { return }
            var chunk = [UInt8](repeating: 0, count: chunkSize)
            var filled = 0
            var failure: Error?
            do {
                while filled < chunkSize {
                    let got = try chunk.withUnsafeMutableBytes {
                        try base.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...]))
                    }
                    if got == 0 { break }
                    filled += got
                }
            } catch {
                failure = error
            }
            chunk.removeSubrange(filled...)
            shared.condition.lock()
            if filled > 0 { shared.ready.append(chunk) }
            if let failure { shared.failure = failure } else if filled < chunkSize { shared.ended = true }
            let done = shared.failure != nil || shared.ended
            shared.condition.broadcast()
            shared.condition.unlock()
            if done { return }
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        if position == current.count {
            shared.condition.lock()
            while shared.ready.isEmpty && !shared.ended && shared.failure == nil { shared.condition.wait() }
            if shared.ready.isEmpty {
                let failure = shared.failure
                shared.condition.unlock()
                if let failure { throw failure }
                return 0
            }
            current = shared.ready.removeFirst()
            position = 0
            shared.condition.broadcast()
            shared.condition.unlock()
        }
        let n = min(buffer.count, current.count - position)
        current.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
        position += n
        offset += Int64(n)
        return n
    }
}

/// Hands a value that is used by one thread at a time to another thread.
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
