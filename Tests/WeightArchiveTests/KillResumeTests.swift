import Foundation
import XCTest
@testable import WeightArchive

/// `kill -9` of the real CLI at random moments, then the same command again:
/// the finished archive must hold exactly the runs and checksums of an
/// uninterrupted pack.
final class KillResumeTests: XCTestCase {
    static func nasdataBinary() -> String? {
        let root = ArchiveFixtures.repoRoot.path
        var candidates = [root + "/.build/debug/nasdata", root + "/.build/release/nasdata"]
        // The test bundle sits next to the products it was built with.
        let bundleDir = Bundle.main.bundleURL.path
        candidates.insert(bundleDir + "/nasdata", at: 0)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs the CLI; nil if it was killed after `delay` seconds. Its stderr goes to `lastError`.
    private var lastError = ""

    private func run(_ binary: String, _ args: [String], killAfter delay: Double?) throws -> Int32? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        let errFile = NSTemporaryDirectory() + "nasdata-kill-stderr-\(getpid())"
        XCTAssertTrue(FileManager.default.createFile(atPath: errFile, contents: nil))
        defer { unlink(errFile) }
        p.standardError = FileHandle(forWritingAtPath: errFile)
        defer { lastError = (try? String(contentsOfFile: errFile, encoding: .utf8)) ?? "" }
        try p.run()
        if let delay {
            let deadline = Date().addingTimeInterval(delay)
            while p.isRunning && Date() < deadline { usleep(2_000) }
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                p.waitUntilExit()
                return nil
            }
        }
        p.waitUntilExit()
        return p.terminationStatus
    }

    func testRepeatedRandomKillsThenSameCommandFinishesIdentically() throws {
        guard let binary = Self.nasdataBinary() else {
            throw XCTSkip("nasdata binary not built (run swift build --build-tests)")
        }
        let dir = ArchiveFixtures.tempDirectory()
        // Slow settings (one thread, zlib level 9, small chunks) stretch the pack over
        // a second or two, so random kills land in every phase.
        let common = [ArchiveFixtures.directory, "--batch-mb", "0.5", "--chunk-kb", "8", "--threads", "1",
                      "--level", "9", "--strategy", "default"]

        let start = Date()
        XCTAssertEqual(try run(binary, ["pack-archive"] + common + ["-o", dir + "/reference.h5"], killAfter: nil), 0)
        let duration = Date().timeIntervalSince(start)
        let reference = try ArchiveFixtures.runChecksums(dir + "/reference.h5")
        XCTAssertEqual(reference.count, 6)

        var rng = SystemRandomNumberGenerator()
        var kills = 0
        var finished = false
        let out = dir + "/killed.h5"
        for _ in 0..<40 {
            // Random moments over the whole run (start-up, decode, chunk writes, flushes).
            let delay = Double.random(in: 0.01...max(0.05, duration * 0.4), using: &rng)
            if let status = try run(binary, ["pack-archive"] + common + ["-o", out], killAfter: delay) {
                XCTAssertEqual(status, 0, "pack-archive failed after \(kills) kills: \(lastError)")
                finished = true
                break
            }
            kills += 1
            if FileManager.default.fileExists(atPath: out) {
                // Whatever was durable is readable right after the kill.
                XCTAssertNoThrow(try ArchiveReader(path: out), "unreadable after kill \(kills)")
            }
        }
        if !finished {
            XCTAssertEqual(try run(binary, ["pack-archive"] + common + ["-o", out], killAfter: nil), 0)
        }
        XCTAssertGreaterThanOrEqual(kills, 3, "the kills should land while packing (pack took \(duration) s)")
        XCTAssertEqual(try ArchiveFixtures.runChecksums(out), reference)
        XCTAssertEqual(try ArchiveIntegrity.verify(path: out), [])
        XCTAssertTrue(try ArchiveReader(path: out).isComplete)
    }

    func testFileSizeLimitGivesAClearErrorAndTheArchiveResumes() throws {
        guard let binary = Self.nasdataBinary() else {
            throw XCTSkip("nasdata binary not built (run swift build --build-tests)")
        }
        let dir = ArchiveFixtures.tempDirectory()
        let out = dir + "/limited.h5"
        let args = "pack-archive '\(ArchiveFixtures.directory)' -o '\(out)' --batch-mb 0.5 --chunk-kb 16"
        // A full disk, simulated with a file size limit (the write fails with EFBIG instead of ENOSPC).
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "trap '' XFSZ; ulimit -f 5600; exec '\(binary)' \(args)"]
        let errPipe = Pipe()
        p.standardError = errPipe
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let stderrText = String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit, stderrText)
        XCTAssertEqual(p.terminationStatus, 74, stderrText)   // output cannot be written
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + ".creating"))
        do {
            let partial = try ArchiveReader(path: out)   // closed again before the resume below
            XCTAssertFalse(partial.isComplete)
            XCTAssertGreaterThan(partial.sources.count, 0, "the limit should hit after some files were packed")
        }
        XCTAssertTrue(stderrText.contains("disk is full"), stderrText)
        XCTAssertTrue(stderrText.contains("run the same command again"), stderrText)

        XCTAssertEqual(try run(binary, ["pack-archive", ArchiveFixtures.directory, "-o", out, "--batch-mb", "0.5", "--chunk-kb", "16"],
                               killAfter: nil), 0, lastError)
        XCTAssertEqual(try ArchiveFixtures.runChecksums(out).count, 6)
        // The space reserved ahead is given back when the pack finishes.
        XCTAssertLessThan(try FileManager.default.attributesOfItem(atPath: out)[.size] as! Int, 2_500_000)
        XCTAssertEqual(try ArchiveIntegrity.verify(path: out), [])
    }
}
