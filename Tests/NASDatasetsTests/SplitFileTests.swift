import Foundation
import NASDataIO
import XCTest
@testable import NASDatasets

final class SplitFileTests: XCTestCase {
    var official: String { CIFARFixtures.officialSplits }

    func testRegeneratedCIFAR10SplitIsTheOfficialFile() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: official + "/cifar-split.txt")))
        let regenerated = CIFARSplits.regenerateCIFAR10()
        XCTAssertEqual(regenerated, try SplitFile.parse(bytes, path: "cifar-split.txt"))
        // Byte for byte, in AutoDL's layout.
        XCTAssertEqual(regenerated.serialized(), bytes)
        XCTAssertEqual(regenerated["train"]?.count, 25_000)
        XCTAssertEqual(regenerated["valid"]?.prefix(3), [1, 2, 3])
    }

    func testOfficialFilesLoadVerified() throws {
        let c10 = try XCTUnwrap(CIFARSplits.load(from: .directory(official), name: "cifar-split.txt", keys: ["train", "valid"], allowUnverified: false))
        XCTAssertTrue(c10.verified)
        XCTAssertEqual(c10.split.total, 50_000)
        let c100 = try XCTUnwrap(CIFARSplits.load(from: .directory(official), name: "cifar100-test-split.txt", keys: ["xvalid", "xtest"], allowUnverified: false))
        XCTAssertEqual(c100.split["xvalid"]?.count, 5_000)
        XCTAssertEqual(c100.split["xtest"]?.count, 5_000)
        for name in ["imagenet-16-120-test-split.txt", "ImageNet16-120-split.txt"] {
            let split = try SplitFile.read(path: official + "/" + name)
            XCTAssertEqual(split.serialized(), [UInt8](try Data(contentsOf: URL(fileURLWithPath: official + "/" + name))), name)
        }
    }

    func testAlteredOfficialFileIsRefused() throws {
        let dir = NSTemporaryDirectory() + "nasdata-split-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var split = CIFARSplits.regenerateCIFAR10()
        // Swap one index between the lists: still a valid split, not the official one.
        var train = split.lists[0].indices, valid = split.lists[1].indices
        let a = train.removeFirst(), b = valid.removeFirst()
        train.append(b); valid.append(a)
        split = SplitFile(lists: [("train", train.sorted()), ("valid", valid.sorted())])
        try Data(split.serialized()).write(to: URL(fileURLWithPath: dir + "/cifar-split.txt"))
        XCTAssertThrowsError(try CIFARSplits.load(from: .directory(dir), name: "cifar-split.txt", keys: ["train", "valid"], allowUnverified: false)) {
            XCTAssertTrue("\($0)".contains("SHA-256"), "\($0)")
        }
        let allowed = try XCTUnwrap(CIFARSplits.load(from: .directory(dir), name: "cifar-split.txt", keys: ["train", "valid"], allowUnverified: true))
        XCTAssertFalse(allowed.verified)
    }

    func testMalformedSplitsSayWhatIsWrong() {
        let cases: [(String, String)] = [
            (#"{"a": ["int", ["0", "2"]], "b": ["int", ["1"]]}"#, ""),
            (#"{"a": ["int", ["0", "2"]], "b": ["int", ["1", "1"]]}"#, "not strictly increasing"),
            (#"{"a": ["int", ["0", "2"]], "b": ["int", ["2"]]}"#, "in both lists"),
            (#"{"a": ["int", ["0", "3"]], "b": ["int", ["1"]]}"#, "outside 0..<3"),
            (#"{"a": ["float", ["0"]], "b": ["int", ["1"]]}"#, "expected \"int\""),
            (#"{"a": ["int", ["x"]], "b": ["int", ["1"]]}"#, "not an integer"),
            (#"{"a": ["int", ["0"]]}"#, "expected two keys"),
            (#"{"a": ["int", ["0"]], "#, "invalid JSON"),
        ]
        for (text, message) in cases {
            do {
                let split = try SplitFile.parse(Array(text.utf8), path: "s.txt")
                XCTAssertEqual(message, "", "accepted: \(text)")
                XCTAssertEqual(split.lists.map(\.key), ["a", "b"])
            } catch {
                XCTAssertTrue("\(error)".contains(message) && "\(error)".hasPrefix("s.txt"), "\(text): \(error)")
            }
        }
    }
}
