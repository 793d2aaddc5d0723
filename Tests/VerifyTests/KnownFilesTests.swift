import XCTest
import Foundation
import NASDatasets
@testable import Verify
import ImageSet

/// The known-checksum table against the reference documents it was taken from.
final class KnownFilesTests: XCTestCase {
    func testTableCoversEveryPublishedFile() {
        let names = Set(KnownFiles.table.map(\.name))
        XCTAssertEqual(KnownFiles.table.count, 2 + 7 + 3 + 11 + 4)
        for n in ["cifar-10-python.tar.gz", "cifar-100-python.tar.gz", "batches.meta", "val_data",
                  "train_data_batch_10", "ImageNet16-120-split.txt", "cifar100-test-split.txt"] {
            XCTAssertTrue(names.contains(n), n)
        }
        XCTAssertEqual(KnownFiles.table.first { $0.name == "cifar-10-python.tar.gz" }?.size, 170_498_071)
        XCTAssertEqual(KnownFiles.table.first { $0.name == "cifar-100-python.tar.gz" }?.size, 169_001_437)
        XCTAssertEqual(Set(KnownFiles.table.map(\.md5)).count, KnownFiles.table.count, "md5s are unique")
        for entry in KnownFiles.table {
            XCTAssertEqual(entry.md5.count, 32)
            XCTAssertEqual(entry.md5, entry.md5.lowercased())
        }
    }

    /// Every md5 in §1 of NAS-BENCH-201.md, paired with its file name as written there.
    func testMD5sMatchTheReferenceDocument() throws {
        guard let doc = TestSupport.shared("reference/NAS-BENCH-201.md") else {
            throw XCTSkip("reference/NAS-BENCH-201.md not beside the repo")
        }
        let text = try String(contentsOfFile: doc, encoding: .utf8)
        let section = text.components(separatedBy: "## 2.")[0]
        let hexes = matches(of: "`([0-9a-f]{32})`", in: section)
        XCTAssertEqual(hexes.count, 2 + 7 + 3 + 11, "md5 count in §1")
        let tableMD5s = Set(KnownFiles.table.map(\.md5))
        for h in hexes { XCTAssertTrue(tableMD5s.contains(h), "reference md5 \(h) missing from the table") }
        // Spot-check the pairing, the part a transposition would break.
        XCTAssertEqual(md5(of: "data_batch_3"), "54ebc095f3ab1f0389bbae665268c751")
        XCTAssertEqual(md5(of: "test_batch"), "40351d587109b95175f43aff81a1287e")
        XCTAssertEqual(md5(of: "train_data_batch_7"), "564926d8cbf8fc4818ba23d2faac7564")
        XCTAssertEqual(md5(of: "val_data"), "3410e3017fdaefba8d5073aaa65e4bd6")
        XCTAssertEqual(md5(of: "meta"), "7973b15100ade9c7d40fb424638fde48")
    }

    /// Split files: name, size, sha256 and md5 exactly as in the splits README table.
    func testSplitEntriesMatchTheSplitsReadme() throws {
        let dir = try TestSupport.splitsDir()
        let text = try String(contentsOfFile: dir + "/README.md", encoding: .utf8)
        var rows = 0
        for line in text.split(separator: "\n") where line.hasPrefix("| `") && line.contains(".txt`") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 5, Int64(cells[1]) != nil else { continue }   // the digest table only
            let name = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            guard let entry = KnownFiles.table.first(where: { $0.name == name }) else {
                XCTFail("\(name) missing from the table"); continue
            }
            XCTAssertEqual(entry.size, Int64(cells[1]), name)
            XCTAssertEqual(entry.sha256, cells[2].trimmingCharacters(in: CharacterSet(charactersIn: "`")), name)
            XCTAssertEqual(entry.md5, cells[3].trimmingCharacters(in: CharacterSet(charactersIn: "`")), name)
            rows += 1
        }
        XCTAssertEqual(rows, 4)
    }

    /// Every file the data-set builders check (NASDatasets.KnownOriginals, where the digests
    /// are written down) is in verify's table, under its folder, with the same digests.
    func testTableListsEveryFileTheDatasetBuildersKnow() {
        func md5(_ name: String, folder: String?) -> String? {
            KnownFiles.table.first { $0.name == name && $0.folder == folder }?.md5
        }
        XCTAssertEqual(md5("cifar-10-python.tar.gz", folder: nil), KnownOriginals.cifar10Archive.md5)
        XCTAssertEqual(md5("cifar-100-python.tar.gz", folder: nil), KnownOriginals.cifar100Archive.md5)
        for (name, digest) in KnownOriginals.cifar10Batches { XCTAssertEqual(md5(name, folder: "cifar-10-batches-py"), digest, name) }
        for (name, digest) in KnownOriginals.cifar100Files { XCTAssertEqual(md5(name, folder: "cifar-100-python"), digest, name) }
        for (name, digest) in KnownOriginals.imageNet16Batches { XCTAssertEqual(md5(name, folder: "ImageNet16"), digest, name) }
        for (name, entry) in KnownOriginals.splitFiles {
            let mine = KnownFiles.table.first { $0.name == name }
            XCTAssertEqual(mine?.md5, entry.md5, name)
            XCTAssertEqual(mine?.sha256, entry.sha256, name)
        }
        XCTAssertEqual(KnownOriginals.cifar10Batches.count + KnownOriginals.cifar100Files.count
                       + KnownOriginals.imageNet16Batches.count + KnownOriginals.splitFiles.count + 2, KnownFiles.table.count)
    }

    func testMatchingNeedsNameAndSizeOrFolder() {
        // Known size: same name + same size matches anywhere.
        XCTAssertNotNil(KnownFiles.match(name: "data_batch_1", parentFolder: "elsewhere", size: 31_035_704))
        // Same name in its folder but wrong size: still claimed (and then reported as truncated).
        XCTAssertNotNil(KnownFiles.match(name: "data_batch_1", parentFolder: "cifar-10-batches-py", size: 10))
        // Generic name, other folder, other size: not claimed (e.g. ImageNet32's train_data_batch_1).
        XCTAssertNil(KnownFiles.match(name: "data_batch_1", parentFolder: "elsewhere", size: 10))
        XCTAssertNil(KnownFiles.match(name: "train_data_batch_1", parentFolder: "Imagenet32_train", size: 10))
        XCTAssertNotNil(KnownFiles.match(name: "train_data_batch_1", parentFolder: "ImageNet16", size: 10))
        // Distinctive names are claimed whatever their size.
        XCTAssertNotNil(KnownFiles.match(name: "cifar-10-python.tar.gz", parentFolder: nil, size: 5))
        XCTAssertNil(KnownFiles.match(name: "cifar-10-python.tar", parentFolder: nil, size: 170_498_071))
    }

    private func md5(of name: String) -> String? { KnownFiles.table.first { $0.name == name }?.md5 }

    private func matches(of pattern: String, in text: String) -> [String] {
        let re = try! NSRegularExpression(pattern: pattern)
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
            String(text[Range($0.range(at: 1), in: text)!])
        }
    }
}
