import EmbeddedFiles
import FixtureSupport
import Foundation
import HDF5Schema
import NASDatasets
import XCTest

/// The executable's built-in copies are exactly the repository's files (the readable
/// source of truth): regenerate with `python3 Tools/embed-resources.py` after editing them.
final class EmbeddedFilesTests: XCTestCase {
    /// Every file of the embedded folders, as the repository holds them.
    private func repositoryFiles() throws -> [String] {
        var paths: [String] = []
        for (folder, ext) in [("Schemas", ".json"), ("Data/nb201-splits", ".txt")] {
            let names = try FileManager.default.contentsOfDirectory(atPath: Repository.root.appendingPathComponent(folder).path)
            paths += names.filter { $0.hasSuffix(ext) }.map { folder + "/" + $0 }
        }
        return paths.sorted()
    }

    func testEmbeddedCopiesEqualTheRepositoryFiles() throws {
        let repo = try repositoryFiles()
        XCTAssertEqual(EmbeddedFiles.paths.sorted(), repo, "embedded set differs: run python3 Tools/embed-resources.py")
        for path in repo {
            let onDisk = try Data(contentsOf: Repository.root.appendingPathComponent(path))
            XCTAssertEqual(EmbeddedFiles.bytes(path).map { Data($0) }, onDisk, "\(path): embedded copy differs; run python3 Tools/embed-resources.py")
        }
        XCTAssertNil(EmbeddedFiles.bytes("Schemas/nonexistent.v1.json"))
    }

    func testOfficialSplitsAreEmbeddedAndVerified() throws {
        XCTAssertEqual(EmbeddedFiles.names(in: EmbeddedFiles.officialSplitsFolder),
                       ["ImageNet16-120-split.txt", "cifar-split.txt", "cifar100-test-split.txt", "imagenet-16-120-test-split.txt"])
        let c10 = try XCTUnwrap(CIFARSplits.load(from: .official, name: "cifar-split.txt", keys: ["train", "valid"], allowUnverified: false))
        XCTAssertTrue(c10.verified)
        XCTAssertEqual(c10.split, CIFARSplits.regenerateCIFAR10())
        let c100 = try XCTUnwrap(CIFARSplits.load(from: .official, name: "cifar100-test-split.txt", keys: ["xvalid", "xtest"], allowUnverified: false))
        XCTAssertEqual(c100.split.total, 10_000)
        let in16 = try XCTUnwrap(ImageNet16Build.loadSplit(from: .official, allowUnverified: false))
        XCTAssertEqual(in16.xvalid.count + in16.xtest.count, 6_000)
        XCTAssertNil(try CIFARSplits.load(from: .none, name: "cifar-split.txt", keys: ["train", "valid"], allowUnverified: false))
    }

    func testSchemasComeFromTheExecutableByDefault() throws {
        let library = try SchemaLibrary.locate(environment: [:])
        XCTAssertEqual(library.source, .embedded)
        let names = Set(library.available().map(\.name))
        XCTAssertTrue(names.isSuperset(of: ["nb201-dataset", "nb201-benchmark", "nb201-archive", "nasdata-selftest"]), "\(names)")
        XCTAssertEqual(try library.schema(named: "nb201-dataset").version, 1)
        XCTAssertThrowsError(try library.schema(named: "no-such-layout"))
    }
}
