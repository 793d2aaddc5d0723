import Foundation
import FixtureSupport
import XCTest
@testable import WeightArchive

/// Paths and helpers shared by the WeightArchive tests.
enum ArchiveFixtures {
    static let repoRoot: URL = Repository.root

    static let directory = repoRoot.appendingPathComponent("Tests/Fixtures/archive").path
    static let names = ["000003-FULL.pth", "000025-FULL.pth", "000058-FULL.pth"]

    struct ExpectedRun: Decodable {
        let hp: Int
        let dataset: String
        let seed: Int
        let tensors: Int
        let first: String
        let tensor_bytes_sha256: String
        let params: Double
    }
    struct ExpectedFile: Decodable {
        let arch_index: Int
        let arch_str: String
        let size: Int64
        let md5: String
        let runs: [ExpectedRun]
    }

    static let expected: [String: ExpectedFile] = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: directory + "/expected.json"))
        return try! JSONDecoder().decode([String: ExpectedFile].self, from: data)
    }()

    /// A fresh empty directory under the system temp dir.
    static func tempDirectory(_ name: String = #function) -> String {
        let clean = name.filter { $0.isLetter || $0.isNumber }
        let path = NSTemporaryDirectory() + "nasdata-archive-\(clean)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A directory holding copies (or the given bytes) of fixture files.
    static func inputDirectory(_ files: [(String, [UInt8])]) -> String {
        let dir = tempDirectory("inputs")
        for (name, bytes) in files {
            XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(bytes)))
        }
        return dir
    }

    static func bytes(_ name: String) -> [UInt8] {
        Array(try! Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
    }

    /// A ustar archive of `members` (what `tar cf` writes), optionally cut short.
    static func tar(_ members: [(String, [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        for (name, data) in members {
            var header = [UInt8](repeating: 0, count: 512)
            func put(_ s: String, _ at: Int) { for (i, b) in s.utf8.enumerated() { header[at + i] = b } }
            func octal(_ v: Int, _ width: Int) -> String {
                let s = String(v, radix: 8)
                return String(repeating: "0", count: width - 1 - s.count) + s
            }
            put(name, 0)
            put(octal(0o644, 8), 100)
            put(octal(0, 8), 108)
            put(octal(0, 8), 116)
            put(octal(data.count, 12), 124)
            put(octal(1_700_000_000, 12), 136)
            put("        ", 148)
            header[156] = UInt8(ascii: "0")
            put("ustar", 257)
            put("00", 263)
            let sum = header.reduce(0) { $0 + Int($1) }
            let chk = String(sum, radix: 8)
            put(String(repeating: "0", count: 6 - chk.count) + chk, 148)
            header[154] = 0
            header[155] = UInt8(ascii: " ")
            out += header
            out += data
            out += [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
        }
        out += [UInt8](repeating: 0, count: 1024)
        return out
    }

    static func write(_ bytes: [UInt8], to path: String) {
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// (key -> sha256 hex) of every run, the identity of an archive's content.
    static func runChecksums(_ path: String) throws -> [String: String] {
        let reader = try ArchiveReader(path: path)
        var out: [String: String] = [:]
        for r in reader.runs { out[r.key.description] = hex(r.sha256) }
        return out
    }

    static func pack(_ inputs: PackInputs, to output: String, configure: (inout PackOptions) -> Void = { _ in }) throws -> PackReport {
        var options = PackOptions(inputs: inputs, output: output)
        options.settings.chunkBytes = 64 << 10
        options.settings.workers = 2
        configure(&options)
        return try Packer.pack(options)
    }
}
