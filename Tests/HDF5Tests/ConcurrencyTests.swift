import Foundation
import XCTest
@testable import HDF5

final class ConcurrencyTests: XCTestCase {
    /// HDF5 prints its error stack per thread unless each thread silences it; the
    /// layer does that on every entry point, so failures on fresh threads print nothing.
    func testNoThreadPrintsHDF5Errors() throws {
        let dir = TempDir()
        let path = dir.file("t.h5")
        try File.writeAtomically(to: path) { try $0.createDataset("x", dtype: .int32, shape: [4]).write([Int32](repeating: 3, count: 4)) }
        let capture = dir.file("stderr.txt")
        fflush(nil)
        let saved = dup(2)
        let fd = open(capture, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        dup2(fd, 2)
        let failures = ThreadFailures()
        let threads = (0..<4).map { n in
            Thread {
                for _ in 0..<20 {
                    do {
                        let f = try File.open(path)  // read-only: every write fails inside HDF5
                        XCTAssertEqual(try f.openDataset("x").read(as: Int32.self), [3, 3, 3, 3])
                        _ = try? f.createGroup("g\(n)")
                        _ = try? File.open(path + ".missing")
                        if (try? f.openDataset("x").write([Int32](repeating: 1, count: 4))) != nil { failures.add() }
                    } catch { failures.add() }
                }
                failures.done()
            }
        }
        threads.forEach { $0.start() }
        failures.wait(for: threads.count)
        fflush(nil)
        dup2(saved, 2)
        close(saved)
        close(fd)
        let printed = try String(contentsOfFile: capture, encoding: .utf8)
        XCTAssertEqual(failures.count, 0)
        XCTAssertFalse(printed.contains("HDF5"), "HDF5 printed on some thread:\n\(printed.prefix(2000))")
    }
}

final class ThreadFailures: @unchecked Sendable {
    private let lock = NSCondition()
    private(set) var count = 0
    private var finished = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    func done() { lock.lock(); finished += 1; lock.broadcast(); lock.unlock() }
    func wait(for n: Int) { lock.lock(); while finished < n { lock.wait() }; lock.unlock() }
}
