import Foundation
import FixtureSupport

/// Locates Tests/Fixtures/imagenet16 by walking up from this file to the repository root.
enum ImageNet16Fixtures {
    static var repoRoot: URL { Repository.root }

    static var directory: URL { repoRoot.appendingPathComponent("Tests/Fixtures/imagenet16") }

    static func json(_ relative: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(relative))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static func bytes(hex: String) -> [UInt8] {
        var out = [UInt8](); out.reserveCapacity(hex.utf8.count / 2)
        var it = hex.utf8.makeIterator()
        func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : c - 87 }
        while let a = it.next(), let b = it.next() { out.append(nibble(a) << 4 | nibble(b)) }
        return out
    }

    /// A fresh scratch directory under the system temp dir, removed by the caller.
    static func scratch(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nasdata-imagenet16-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
