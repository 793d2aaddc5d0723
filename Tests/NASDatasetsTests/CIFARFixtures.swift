import Foundation
import FixtureSupport
import XCTest
@testable import NASDatasets

/// Paths of the committed CIFAR fixtures (Tools/fixtures/make_cifar_fixtures.py) and
/// what they are expected to produce.
enum CIFARFixtures {
    static let repoRoot: URL = Repository.root

    static let dir = repoRoot.appendingPathComponent("Tests/Fixtures/cifar").path
    static func path(_ name: String) -> String { dir + "/" + name }
    static var splits: String { dir + "/splits" }

    /// The official split files, kept in the repository (`Data/nb201-splits`).
    static var officialSplits: String { Repository.officialSplits.path }

    struct ExpectedSet: Decodable {
        let indices: [Int64]
        let labels: [Int64]
        let record_sha256: [String]
        let digest: String
    }

    /// dataset -> set -> expected contents; plus class names per variant.
    static func expected() throws -> (sets: [String: [String: ExpectedSet]], classNames: [String: [String]]) {
        let data = try Data(contentsOf: URL(fileURLWithPath: path("expected.json")))
        let any = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let names = try XCTUnwrap(any["class_names"] as? [String: [String]])
        var sets: [String: [String: ExpectedSet]] = [:]
        for (dataset, value) in any where dataset != "class_names" {
            let json = try JSONSerialization.data(withJSONObject: value)
            sets[dataset] = try JSONDecoder().decode([String: ExpectedSet].self, from: json)
        }
        return (sets, names)
    }
}
