import Foundation
import FixtureSupport
import XCTest

/// A fresh directory under /tmp for one test, removed afterwards.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "nasdata-hdf5-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// The repository root, found from this source file (no SwiftPM resources).
func repositoryRoot() -> URL { Repository.root }
