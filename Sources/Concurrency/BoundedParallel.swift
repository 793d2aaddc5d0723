import Foundation

/// Runs `body(i)` for every `i` in `0..<count` on at most `jobs` threads, each
/// worker pulling the next index when it finishes one, so big and small items
/// balance across workers. Returns when all are done. `makeState` builds one
/// per-worker value (e.g. a `FileHasher` with its buffer) that is reused for
/// every item that worker handles, so memory is bounded by `jobs`, not `count`.
public enum BoundedParallel {
    public static func forEach<State>(count: Int, jobs: Int,
                                      makeState: @escaping @Sendable () -> State,
                                      _ body: @escaping @Sendable (inout State, Int) -> Void) {
        guard count > 0 else { return }
        let workers = max(1, min(jobs, count))
        if workers == 1 {
            var state = makeState()
            for i in 0..<count { body(&state, i) }
            return
        }
        let queue = WorkQueue(count: count)
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<workers {
            let thread = Thread {
                var state = makeState()
                while let i = queue.next() { body(&state, i) }
                done.signal()
            }
            // Hashing needs little stack; 1 MiB keeps many workers cheap.
            thread.stackSize = 1 << 20
            thread.start()
        }
        for _ in 0..<workers { done.wait() }
    }

    /// The default worker count: the machine's active cores.
    public static var defaultJobs: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Hands out 0..<count, one index a call, to whichever worker asks first.
    private final class WorkQueue: Sendable {
        private let nextIndex = Locked(0)
        private let count: Int
        init(count: Int) { self.count = count }
        func next() -> Int? {
            nextIndex.withLock { next in
                guard next < count else { return nil }
                defer { next += 1 }
                return next
            }
        }
    }

    /// `forEach`, collecting `body`'s result for every index, in index order.
    public static func map<State, T>(count: Int, jobs: Int,
                                     makeState: @escaping @Sendable () -> State,
                                     _ body: @escaping @Sendable (inout State, Int) -> T) -> [T] {
        let results = ResultSlots<T>(count: count)
        forEach(count: count, jobs: jobs, makeState: makeState) { state, i in results.set(i, body(&state, i)) }
        return results.values()
    }
}

/// Fixed-size result array that worker threads fill by index.
public final class ResultSlots<T>: @unchecked Sendable {
    private let slots: Locked<[T?]>
    public init(count: Int) { slots = Locked(Array(repeating: nil, count: count)) }
    public func set(_ i: Int, _ value: T) {
        slots.withLock { $0[i] = value }
    }
    /// All values; every slot must have been set.
    public func values() -> [T] {
        slots.withLock { $0.map { $0! } }
    }
}
