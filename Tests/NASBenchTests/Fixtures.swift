import Foundation
import NASBench
import NASDataIO
import XCTest

/// The committed benchmark fixtures (gzipped), unpacked once per test run into a temp directory.
enum BenchmarkFixtures {
    static let metaFiles = ["meta-v1_0-mini.pth", "meta-v1_1-mini.pth", "meta-v1_1-mini-zip.pth"]

    static let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nasbench-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Path of the unpacked fixture `name` (without `.gz`).
    static func path(_ name: String) throws -> String {
        let out = scratch.appendingPathComponent(name).path
        if FileManager.default.fileExists(atPath: out) { return out }
        let gz = FixturePaths.fixtures.appendingPathComponent(name + ".gz").path
        let reader = try GzipReader(path: gz)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
            if n == 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        try data.write(to: URL(fileURLWithPath: out + ".tmp"))
        try FileManager.default.moveItem(atPath: out + ".tmp", toPath: out)
        return out
    }

    /// The upstream answers recorded for a layout ("v1_0" or "v1_1").
    static func queries(_ tag: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: try path("queries-\(tag).json")))
        return try ExactJSON.parse(data) as! [String: Any]
    }

    static func temporaryPath(_ name: String) -> String { scratch.appendingPathComponent(name).path }

    /// The meta file of layout `tag` ("v1_0" or "v1_1") converted to HDF5, once per test run.
    static func converted(_ tag: String) throws -> String {
        let output = temporaryPath("converted-\(tag).h5")
        if !FileManager.default.fileExists(atPath: output) {
            _ = try BenchmarkConverter.convert(metaFile: try path("meta-\(tag)-mini.pth"), to: output)
        }
        return output
    }

    /// A number of a recorded answer (JSON ints and floats alike).
    static func number(_ any: Any?) -> Double? {
        switch any {
        case let d as Double: return d
        case let i as Int: return Double(i)
        default: return nil
        }
    }
}
