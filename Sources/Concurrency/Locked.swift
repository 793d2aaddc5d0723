#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a mutex (pthread, so modules that avoid Foundation can use it): the one
/// lock type of the package. `withLock` hands the body exclusive access to the value.
///
///     let counter = Locked(0)
///     counter.withLock { $0 += 1 }
public final class Locked<Value>: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    /// Runs `body` with the value, holding the lock.
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body(&value)
    }

    /// A copy of the value (taken under the lock).
    public var current: Value { withLock { $0 } }
}

extension Locked where Value == Void {
    /// A plain mutex guarding no value of its own.
    public convenience init() { self.init(()) }

    /// Runs `body` holding the lock.
    public func withLock<R>(_ body: () throws -> R) rethrows -> R {
        try withLock { (_: inout Void) in try body() }
    }
}
