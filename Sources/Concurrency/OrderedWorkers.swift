import Foundation

/// Runs jobs on worker threads and hands their results back in submission order.
///
/// The caller bounds memory by how many jobs it keeps submitted (`pending`); the
/// pool itself never blocks `submit`. A job is told whether it was cancelled
/// (`shutdown` before it started) so it can release what it holds (an in-memory
/// copy of a tar member) without doing the work.
public final class OrderedWorkers<Output>: @unchecked Sendable {
    public typealias Job = @Sendable (_ cancelled: Bool) -> Output

    private let condition = NSCondition()
    private var queue: [(Int, Job)] = []
    private var done: [Int: Output] = [:]
    private var nextSubmit = 0
    private var nextTake = 0
    private var stopping = false
    private var running = 0

    public init(workers: Int, name: String) {
        for i in 0..<max(1, workers) {
            let t = Thread { [self] in workLoop() }
            t.name = "\(name)-\(i)"
            running += 1
            t.start()
        }
    }

    deinit { shutdown() }

    /// Jobs submitted and not yet taken.
    public var pending: Int {
        condition.lock(); defer { condition.unlock() }
        return nextSubmit - nextTake
    }

    public func submit(_ job: @escaping Job) {
        condition.lock()
        queue.append((nextSubmit, job))
        nextSubmit += 1
        condition.broadcast()
        condition.unlock()
    }

    /// The oldest job's result, waiting for it if needed; nil when nothing is pending.
    public func next() -> Output? {
        condition.lock(); defer { condition.unlock() }
        guard nextTake < nextSubmit else { return nil }
        while done[nextTake] == nil { condition.wait() }
        defer { nextTake += 1 }
        return done.removeValue(forKey: nextTake)
    }

    /// The oldest job's result if it is finished; nil otherwise (never waits).
    public func nextIfDone() -> Output? {
        condition.lock(); defer { condition.unlock() }
        guard nextTake < nextSubmit, let output = done.removeValue(forKey: nextTake) else { return nil }
        nextTake += 1
        return output
    }

    /// Cancels the jobs not yet started (each still runs, told it was cancelled, to
    /// release its resources), lets the running ones finish, and stops the threads.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    private func workLoop() {
        condition.lock()
        while true {
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty { break }
            let (sequence, job) = queue.removeFirst()
            let cancelled = stopping
            condition.unlock()
            let output = job(cancelled)
            condition.lock()
            done[sequence] = output
            condition.broadcast()
        }
        running -= 1
        condition.broadcast()
        condition.unlock()
    }
}
