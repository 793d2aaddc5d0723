import XCTest
import FixtureSupport
import Foundation
import Checksums

/// Paths and small file helpers shared by the Verify tests.
enum TestSupport {
    static var repoRoot: URL { Repository.root }

    static var fixtures: String { repoRoot.appendingPathComponent("Tests/Fixtures/verify").path }

    /// The official split files, kept in the repository (`Data/nb201-splits`).
    static func splitsDir() throws -> String { Repository.officialSplits.path }

    static func makeTempDir(_ label: String) throws -> String {
        let dir = NSTemporaryDirectory() + "verify-tests-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func read(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func copy(_ from: String, to: String) throws {
        try write(try read(from), to: to)
    }

    /// Corruption kinds, applied in place.
    static func truncate(_ path: String, by n: Int = 1) throws {
        let b = try read(path)
        try write(Array(b.prefix(b.count - n)), to: path)
    }

    static func flipByte(_ path: String, at offset: Int? = nil) throws {
        var b = try read(path)
        let i = offset ?? b.count / 2
        b[i] ^= 0x01
        try write(b, to: path)
    }

    static func swap(_ a: String, _ b: String) throws {
        let tmp = a + ".swap"
        try FileManager.default.moveItem(atPath: a, toPath: tmp)
        try FileManager.default.moveItem(atPath: b, toPath: a)
        try FileManager.default.moveItem(atPath: tmp, toPath: b)
    }

    static func pseudoRandom(_ n: Int, seed: UInt64) -> [UInt8] {
        var x = seed &+ 0x9E3779B97F4A7C15
        return (0..<n).map { _ in
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            return UInt8(truncatingIfNeeded: x)
        }
    }
}
