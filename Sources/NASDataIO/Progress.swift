#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A one-line progress indicator on standard error for long operations.
///
/// It draws only when standard error is a terminal (and `NASDATA_PROGRESS` is not
/// `0`), at most ten times a second, so scripts, CI logs and `--json` output stay
/// clean. Thread-safe: workers may call `advance` concurrently.
public final class Progress: @unchecked Sendable {
    private let label: String
    private let total: Int64?
    private let unit: String
    private var done: Int64 = 0
    private var lastDraw: Double = 0
    private let start: Double
    private let lock = NSLock()
    public let isVisible: Bool

    public init(_ label: String, total: Int64? = nil, unit: String = "") {
        self.label = label
        self.total = total
        self.unit = unit
        self.start = Progress.now()
        let env = ProcessInfo.processInfo.environment["NASDATA_PROGRESS"]
        self.isVisible = env == "1" || (env != "0" && isatty(STDERR_FILENO) == 1)
    }

    public func advance(by n: Int64 = 1) {
        lock.lock(); defer { lock.unlock() }
        done += n
        guard isVisible else { return }
        let t = Progress.now()
        if t - lastDraw >= 0.1 { lastDraw = t; draw(t) }
    }

    /// Erases the line (a final summary is the caller's to print).
    public func finish() {
        lock.lock(); defer { lock.unlock() }
        guard isVisible else { return }
        FileHandle.standardError.write("\r\u{1B}[K".data(using: .utf8)!)
    }

    private func draw(_ t: Double) {
        let elapsed = max(t - start, 1e-9)
        let rate = Double(done) / elapsed
        var line = "\r\u{1B}[K\(label): \(done)"
        if let total { line += "/\(total)" + String(format: " (%.1f%%)", 100 * Double(done) / Double(max(total, 1))) }
        line += String(format: " %.1f %@/s", rate, unit.isEmpty ? "items" : unit)
        if let total, rate > 0 { line += String(format: ", %.0fs left", Double(total - done) / rate) }
        FileHandle.standardError.write(line.data(using: .utf8)!)
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
