import Foundation
import NASDataIO

/// NASDataIO.Progress counted in MiB: hashing reports bytes, the line shows
/// "verify: 812/2048 (39.6%) 590.3 MiB/s, 2s left". Thread-safe.
final class ByteProgress: @unchecked Sendable {
    private let progress: NASDataIO.Progress
    private let lock = NSLock()
    private var bytes: Int64 = 0
    private var shownMiB: Int64 = 0

    init(_ label: String, totalBytes: Int64) {
        progress = NASDataIO.Progress(label, total: (totalBytes + (1 << 20) - 1) >> 20, unit: "MiB")
    }

    func advance(bytes n: Int64) {
        lock.lock()
        bytes += n
        let delta = (bytes >> 20) - shownMiB
        shownMiB += delta
        lock.unlock()
        if delta > 0 { progress.advance(by: delta) }
    }

    func finish() { progress.finish() }
}
