import Foundation
import NASDataIO

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

    private final class WorkQueue: @unchecked Sendable {
        private let lock = NSLock()
        private var nextIndex = 0
        private let count: Int
        init(count: Int) { self.count = count }
        func next() -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard nextIndex < count else { return nil }
            defer { nextIndex += 1 }
            return nextIndex
        }
    }
}

/// Hashes many files across a bounded number of threads, one reused buffer a thread.
public enum ParallelHasher {
    /// Returns one result per path, in the order of `paths`. A file that cannot be
    /// read yields `.failure` (an `IOError` naming it); the others still complete.
    /// `progress` receives byte counts from every worker (it must be thread-safe,
    /// as `NASDataIO.Progress.advance` is).
    public static func hash(paths: [String], algorithms: Set<HashAlgorithm> = [.md5, .sha256],
                            jobs: Int = BoundedParallel.defaultJobs,
                            progress: (@Sendable (Int64) -> Void)? = nil) -> [Result<FileDigests, Error>] {
        let results = ResultSlots<Result<FileDigests, Error>>(count: paths.count)
        BoundedParallel.forEach(count: paths.count, jobs: jobs, makeState: { FileHasher() }) { hasher, i in
            let r = Result { try hasher.hash(path: paths[i], algorithms: algorithms, progress: progress) }
            results.set(i, r)
        }
        return results.values()
    }
}

/// Fixed-size result array that worker threads fill by index.
public final class ResultSlots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]
    public init(count: Int) { slots = Array(repeating: nil, count: count) }
    public func set(_ i: Int, _ value: T) {
        lock.lock(); slots[i] = value; lock.unlock()
    }
    /// All values; every slot must have been set.
    public func values() -> [T] {
        lock.lock(); defer { lock.unlock() }
        return slots.map { $0! }
    }
}
