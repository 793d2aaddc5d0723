import Checksums
import FixtureSupport
import Foundation
import Pickle
import XCTest
import TorchFormats

/// `Inspector` (what `nasdata inspect` prints and exports) against the facts upstream code
/// wrote down about the fixtures (`Tests/Fixtures/pickle/expected.json`).
final class InspectorTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("inspector-tests-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    private func expectedStateDict() throws -> [String: [String: Any]] {
        (try PickleFixtures.expectedJSON()["state_dict"] as! [String: Any])["tensors"] as! [String: [String: Any]]
    }

    private func rendered(_ result: InspectResult, json: Bool) throws -> String {
        var out = ""
        try result.write(json: json) { out += $0 }
        return out
    }

    func testCheckpointTreeListsEveryTensorWithItsDigest() throws {
        let expected = try expectedStateDict()
        for name in ["state_dict_zip.pth", "state_dict_legacy.pth"] {
            var request = InspectRequest(file: PickleFixtures.path(name))
            request.verifyCRC = true
            let result = try Inspector.run(request)
            XCTAssertEqual(result.kind, name.contains("zip") ? .torchZip : .torchLegacy)
            let tensors = try result.tensors()
            XCTAssertEqual(tensors.count, 8, name)
            for t in tensors {
                let key = String(t.path.dropFirst(2).dropLast(2))   // ['0.weight'] -> 0.weight
                XCTAssertEqual(t.sha256, expected[key]?["sha256"] as? String, "\(name) \(key)")
                XCTAssertEqual(t.shape, expected[key]?["shape"] as? [Int], "\(name) \(key)")
                XCTAssertEqual(t.dtype, expected[key]?["dtype"] as? String, "\(name) \(key)")
            }
            let doc = try JSONSerialization.jsonObject(with: Data(try rendered(result, json: true).utf8)) as! [String: Any]
            XCTAssertEqual(doc["format"] as? String, result.kind.rawValue)
            XCTAssertEqual((doc["tensors"] as? [Any])?.count, 8)
            let text = try rendered(result, json: false)
            XCTAssertTrue(text.hasPrefix("\(request.file): \(result.kind.rawValue)\n"), text)
            XCTAssertTrue(text.contains("  '4.weight': tensor float32 [10, 144]"), text)
        }
    }

    func testStatsCountWithoutReadingTensors() throws {
        var request = InspectRequest(file: PickleFixtures.path("state_dict_zip.pth"))
        request.statsOnly = true
        let result = try Inspector.run(request)
        guard case .stats(let stats) = result.content else { return XCTFail("no stats") }
        XCTAssertEqual(stats.tensors, 8)
        XCTAssertEqual(try result.tensors().count, 0)
        let doc = try JSONSerialization.jsonObject(with: Data(try rendered(result, json: true).utf8)) as! [String: Any]
        XCTAssertEqual(doc["tensors"] as? Int, 8)
        XCTAssertEqual(doc["format"] as? String, "torch-zip")
        XCTAssertTrue(try rendered(result, json: false).contains("\ntensors: 8 ("))

        request.select = "0.weight"
        XCTAssertThrowsError(try Inspector.run(request)) { XCTAssertEqual($0 as? InspectError, .statsWithSelection) }
    }

    func testSelectAndExport() throws {
        let expected = try expectedStateDict()
        var request = InspectRequest(file: PickleFixtures.path("state_dict_legacy.pth"))
        request.select = "4.weight"
        request.export = scratch.appendingPathComponent("w.npy").path
        let result = try Inspector.run(request)
        XCTAssertTrue(try rendered(result, json: false).hasPrefix("\(request.file): torch-legacy [4.weight]\ntensor float32 [10, 144]"))
        let written = try NPY.read(path: request.export!)
        XCTAssertEqual(written.shape, [10, 144])
        XCTAssertEqual(SHA256.hash(written.bytes).hex, expected["4.weight"]?["sha256"] as? String)

        // The whole state dict as safetensors and torch zip: the same tensors read back.
        for ext in ["safetensors", "pth"] {
            var all = InspectRequest(file: PickleFixtures.path("state_dict_zip.pth"))
            all.export = scratch.appendingPathComponent("sd.\(ext)").path
            _ = try Inspector.run(all)
            let back = try Inspector.run(InspectRequest(file: all.export!)).tensors()
            XCTAssertEqual(Set(back.compactMap(\.sha256)), Set(expected.values.compactMap { $0["sha256"] as? String }), ext)
        }

        // A dict is no array; the refused export writes nothing.
        var bad = InspectRequest(file: PickleFixtures.path("state_dict_zip.pth"))
        bad.export = scratch.appendingPathComponent("bad.npy").path
        XCTAssertThrowsError(try Inspector.run(bad)) {
            guard case .notAnArray? = $0 as? InspectError else { return XCTFail("\($0)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: bad.export!))
    }

    func testPicklesAndPython2Strings() throws {
        let cifar = try PickleFixtures.expectedJSON()["cifar_like"] as! [String: Any]
        var request = InspectRequest(file: PickleFixtures.path("cifar_like_py2.pkl"))
        request.select = "labels"
        guard case .tree(let labels, _) = try Inspector.run(request).content else { return XCTFail("no tree") }
        XCTAssertEqual(labels.list?.compactMap(\.int), cifar["labels"] as? [Int])

        request.select = nil
        request.python2StringsAsBytes = true
        guard case .tree(let root, _) = try Inspector.run(request).content else { return XCTFail("no tree") }
        XCTAssertTrue(root.contains(.bytes(Array("labels".utf8))), "py2 keys read as bytes")
        XCTAssertFalse(root.contains(.string("labels")))
        let data = try Inspector.run(request).tensors().first
        XCTAssertEqual(data?.sha256, (cifar["data"] as? [String: Any])?["sha256"] as? String)

        // A pickle export holds the selected value as plain Python objects.
        var export = InspectRequest(file: PickleFixtures.path("cifar_like_py2.pkl"))
        export.select = "labels"
        export.export = scratch.appendingPathComponent("labels.pkl").path
        _ = try Inspector.run(export)
        guard case .tree(let back, _) = try Inspector.run(InspectRequest(file: export.export!)).content else { return XCTFail("no tree") }
        XCTAssertEqual(back.list?.compactMap(\.int), cifar["labels"] as? [Int])
    }

    func testSelectionPaths() {
        XCTAssertEqual(InspectRequest.path("full/all_results/(cifar10,777)/net_state_dict"),
                       [.string("full"), .string("all_results"), .tuple([.string("cifar10"), .int(777)]), .string("net_state_dict")])
        XCTAssertEqual(InspectRequest.path("a/3/'4'"), [.string("a"), .int(3), .string("4")])
    }
}
