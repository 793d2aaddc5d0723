import Foundation
import FixtureSupport
import Checksums

/// Repo root, found by walking up from this file to Package.swift (no SwiftPM resources).
func repoRoot() -> URL { Repository.root }

func fixture(_ name: String) -> String {
    repoRoot().appendingPathComponent("Tests/Fixtures/pickle/\(name)").path
}

func expectedJSON() throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: fixture("expected.json")))
    return try JSONSerialization.jsonObject(with: data) as! [String: Any]
}

/// Lower-case hex SHA-256, for comparing tensor bytes with expected.json.
func sha256Hex(_ message: [UInt8]) -> String { SHA256.hash(message).hex }
