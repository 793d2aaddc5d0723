import Foundation

/// The checkpoint fixtures that the Pickle and TorchFormats tests share
/// (`Tests/Fixtures/pickle`, made by Tools/fixtures/make_pickle_fixtures.py), and the
/// facts about them that upstream code wrote down (`expected.json`).
public enum PickleFixtures {
    public static func path(_ name: String) -> String {
        Repository.fixtures("pickle").appendingPathComponent(name).path
    }

    public static func expectedJSON() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path("expected.json")))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }
}
