#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Concurrency
import Foundation

/// A one-line progress indicator on standard error for long operations.
///
/// It draws only when standard error is a terminal (and `NASDATA_PROGRESS` is not
/// `0`), at most ten times a second, so scripts, CI logs and `--json` output stay
/// clean. Thread-safe: workers may call `advance` concurrently.
public final class Progress: Sendable {
    private let label: String
    private let total: Int64?
    private let unit: String
    /// Items done, and when the line was last drawn.
    private let state = Locked((done: Int64(0), lastDraw: 0.0))
    private let start: Double
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
        state.withLock { state in
            state.done += n
            guard isVisible else { return }
            let t = Progress.now()
            if t - state.lastDraw >= 0.1 { state.lastDraw = t; draw(t, done: state.done) }
        }
    }

    /// Erases the line (a final summary is the caller's to print).
    public func finish() {
        state.withLock { _ in
            guard isVisible else { return }
            FileHandle.standardError.write("\r\u{1B}[K".data(using: .utf8)!)
        }
    }

    private func draw(_ t: Double, done: Int64) {
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
