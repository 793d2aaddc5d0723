import HDF5
import HDF5Schema
import XCTest
@testable import WeightArchive

/// What the writer and the merger produce follows Schemas/nb201-archive*.v1.json.
final class SchemaTests: XCTestCase {
    private let library = SchemaLibrary(directory: ArchiveFixtures.repoRoot.appendingPathComponent("Schemas").path)

    func testPackedAndCopiedArchivesFollowTheSchema() throws {
        let dir = ArchiveFixtures.tempDirectory()
        _ = try ArchiveFixtures.pack(.directory(ArchiveFixtures.directory), to: dir + "/a.h5")
        let schema = try library.schema(named: ArchiveLayout.schemaName, version: Int(ArchiveLayout.schemaVersion))
        XCTAssertEqual(try SchemaChecker.check(file: dir + "/a.h5", schema: schema).map(\.description), [])

        // An interrupted pack is also a valid (incomplete) archive.
        _ = try ArchiveFixtures.pack(.directory(ArchiveFixtures.directory), to: dir + "/b.h5") {
            $0.batchBytes = 1
            $0.stopAfterCommits = 1
        }
        XCTAssertEqual(try SchemaChecker.check(file: dir + "/b.h5", schema: schema).map(\.description), [])

        // A deviation is noticed (the checker really looks): a stray member.
        let f = try File.open(dir + "/a.h5", mode: .readWrite)
        _ = try f.createGroup("extra")
        f.close()
        XCTAssertFalse(try SchemaChecker.check(file: dir + "/a.h5", schema: schema).isEmpty)
    }

    func testMasterFileFollowsItsSchema() throws {
        let dir = ArchiveFixtures.tempDirectory()
        var shards: [String] = []
        for k in 0..<2 {
            shards.append(dir + "/s\(k).h5")
            _ = try ArchiveFixtures.pack(.directory(ArchiveFixtures.directory), to: shards[k]) { $0.settings.shard = Shard(index: k, count: 2) }
        }
        _ = try ArchiveMerger.merge(shards: shards, output: dir + "/m.h5", mode: .links)
        let file = try File.open(dir + "/m.h5")
        defer { file.close() }
        let schema = try library.schema(for: file)
        XCTAssertEqual(schema.name, ArchiveLayout.masterSchemaName)
        XCTAssertEqual(try SchemaChecker.check(file: file, schema: schema).map(\.description), [])
    }
}
