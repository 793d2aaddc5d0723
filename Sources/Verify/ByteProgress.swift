import Concurrency
import NASDataIO

/// NASDataIO.Progress counted in MiB: hashing reports bytes, the line shows
/// "verify: 812/2048 (39.6%) 590.3 MiB/s, 2s left". Thread-safe.
final class ByteProgress: Sendable {
    private let progress: NASDataIO.Progress
    /// Bytes counted and whole MiB shown so far.
    private let counts = Locked<(bytes: Int64, shownMiB: Int64)>((0, 0))

    init(_ label: String, totalBytes: Int64) {
        progress = NASDataIO.Progress(label, total: (totalBytes + (1 << 20) - 1) >> 20, unit: "MiB")
    }

    func advance(bytes n: Int64) {
        let delta = counts.withLock { c -> Int64 in
            c.bytes += n
            let delta = (c.bytes >> 20) - c.shownMiB
            c.shownMiB += delta
            return delta
        }
        if delta > 0 { progress.advance(by: delta) }
    }

    func finish() { progress.finish() }
}
