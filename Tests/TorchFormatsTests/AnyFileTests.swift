import FixtureSupport
import XCTest
import Pickle
@testable import TorchFormats

final class AnyFileTests: XCTestCase {
    func testSniffsEveryFormat() throws {
        let cases: [(String, AnyFile.Kind)] = [
            ("tricky_legacy.pth", .torchLegacy), ("tricky_zip.pth", .torchZip), ("plain_p0.pkl", .pickle),
            ("plain_p2.pkl", .pickle), ("plain_p5.pkl", .pickle), ("cifar_like_py2.pkl", .pickle),
            ("array_f4.npy", .npy), ("weights.safetensors", .safetensors),
        ]
        for (name, kind) in cases { XCTAssertEqual(try AnyFile.sniff(path: PickleFixtures.path(name)), kind, name) }
    }

    /// --stats streams (dropping every dict item) yet counts exactly what the whole tree holds.
    func testStreamingStatsMatchTheWholeTree() throws {
        for name in ["tricky_legacy.pth", "tricky_zip.pth", "nb201_like_legacy.pth", "plain_p2.pkl", "cifar_like_py3.pkl"] {
            var whole = TreeStats()
            whole.add(try AnyFile.load(path: PickleFixtures.path(name)).value)
            let (_, streamed) = try TreeStats.gather(path: PickleFixtures.path(name))
            XCTAssertEqual(streamed.totalNodes, whole.totalNodes, name)
            XCTAssertEqual(streamed.nodes, whole.nodes, name)
            XCTAssertEqual(streamed.tensorBytes, whole.tensorBytes, name)
        }
    }

    func testJSONListsEveryTensorWithItsDigest() throws {
        let (kind, value, metadata) = try AnyFile.load(path: PickleFixtures.path("weights.safetensors"))
        var out = ""
        try TreeRenderer().json(file: "w", kind: kind, value: value, metadata: metadata) { out += $0 }
        let doc = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
        let tensors = doc["tensors"] as! [[String: Any]]
        let exp = (try PickleFixtures.expectedJSON()["safetensors"] as! [String: Any])["tensors"] as! [String: [String: Any]]
        XCTAssertEqual(tensors.count, exp.count)
        for t in tensors {
            let name = String((t["path"] as! String).dropFirst(2).dropLast(2))
            XCTAssertEqual(t["sha256"] as? String, exp[name]?["sha256"] as? String, name)
        }
        XCTAssertEqual((doc["metadata"] as? [String: String])?["format"], "pt")
    }
}
