import Foundation
import FixtureSupport

/// Locates the repository root from this file's path (no SwiftPM resources).
enum FixturePaths {
    static var repoRoot: URL { Repository.root }
    static var fixtures: URL { repoRoot.appendingPathComponent("Tests/Fixtures/nasbench") }
    /// The official split files, kept in the repository (`Data/nb201-splits`).
    static var splits: URL { Repository.officialSplits }
}
