import Foundation

/// Where the tests find their fixtures: walking up from this source file to the folder
/// holding Package.swift (the tests use no SwiftPM resources, so the paths are the
/// checkout's own). Shared by every test target.
public enum Repository {
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    /// `Tests/Fixtures/<area>`.
    public static func fixtures(_ area: String) -> URL {
        root.appendingPathComponent("Tests/Fixtures/\(area)")
    }

    /// The official split files (`Data/nb201-splits`, the source of nasdata's built-in copy).
    public static var officialSplits: URL {
        root.appendingPathComponent("Data/nb201-splits")
    }
}
