import Foundation
import FixtureSupport

/// Locates the repository root from this file's path (no SwiftPM resources).
enum FixturePaths {
    static var repoRoot: URL { Repository.root }
    static var fixtures: URL { repoRoot.appendingPathComponent("Tests/Fixtures/nasbench") }
    /// The shared official split files beside the repository (`<repo>/../shared/data/nb201-splits`);
    /// a git worktree sits one level deeper, so the nearest ancestor holding `shared/` wins.
    static var splits: URL {
        var dir = repoRoot
        while dir.path != "/" {
            dir.deleteLastPathComponent()
            let candidate = dir.appendingPathComponent("shared/data/nb201-splits")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        return repoRoot.appendingPathComponent("../shared/data/nb201-splits").standardizedFileURL
    }
}
