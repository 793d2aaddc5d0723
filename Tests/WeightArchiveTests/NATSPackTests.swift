import Checksums
import Foundation
import HDF5
import HDF5Schema
import NASCore
import Tensors
import XCTest
@testable import WeightArchive

/// pack-archive on NATS-Bench full files (issue 14 item 3): both spaces, every input form,
/// shards and merges, bad files, resume; checked against what torch read from the same files
/// (`full-expected.json`, `pack/expected.json`, written by Tools/fixtures/make-nats-fixtures.py).
final class NATSPackTests: XCTestCase {
    static let generated = ArchiveFixtures.repoRoot.appendingPathComponent("Tests/Fixtures/nats/generated").path
    static let samples = ArchiveFixtures.repoRoot.appendingPathComponent("Tests/Fixtures/nats").path
    static let folderName: [SearchSpaceKind: String] = [.topology: "NATS-tss-v1_0-3ffb9-full", .size: "NATS-sss-v1_0-50262-full"]
    static let indexes: [SearchSpaceKind: [Int]] = [.topology: [0, 11, 284], .size: [0, 11, 284]]

    /// Where each fixture full file lives: the committed full file, or the pack extras.
    static func fixture(_ space: SearchSpaceKind, _ index: Int) -> String {
        let name = String(format: "%06d.pickle.pbz2", index)
        let main = generated + "/" + folderName[space]! + "/" + name
        return FileManager.default.fileExists(atPath: main) ? main : generated + "/pack/" + folderName[space]! + "/" + name
    }

    /// The members of a full folder as published: the run files and the folder's meta.pickle.pbz2.
    static func members(_ space: SearchSpaceKind) -> [(String, [UInt8])] {
        let meta = samples + "/" + folderName[space]!.replacingOccurrences(of: "-full", with: "-simple") + "/meta.pickle.pbz2"
        return indexes[space]!.map { (String(format: "%06d.pickle.pbz2", $0), read(fixture(space, $0))) } + [("meta.pickle.pbz2", read(meta))]
    }

    static func read(_ path: String) -> [UInt8] { Array(try! Data(contentsOf: URL(fileURLWithPath: path))) }

    /// A `NATS-xxx-full/` folder under a fresh temp directory (the name says the space).
    static func folder(_ space: SearchSpaceKind, replacing: [String: [UInt8]] = [:]) -> String {
        let dir = ArchiveFixtures.tempDirectory("nats") + "/" + folderName[space]!
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, bytes) in members(space) { ArchiveFixtures.write(replacing[name] ?? bytes, to: dir + "/" + name) }
        return dir
    }

    /// hp/dataset/seed -> (tensor count, digest) of every run, as torch read the fixture files.
    static func expected(_ space: SearchSpaceKind) throws -> [Int: [String: (Int, String)]] {
        var out: [Int: [String: (Int, String)]] = [:]
        for file in [generated + "/full-expected.json", generated + "/pack/expected.json"] {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as! [String: [String: [String: Any]]]
            for (name, runs) in json where name.hasPrefix(folderName[space]! + "/") {
                let index = Int(name.split(separator: "/")[1].prefix(6))!
                for (key, value) in runs { out[index, default: [:]][key] = (value["tensors"] as! Int, value["digest"] as! String) }
            }
        }
        return out
    }

    /// torch's digest of a state dict: sha256 over "key|dtype|shape|sha256(bytes)\n" lines.
    static func digest(_ sd: StateDict) -> String {
        let h = SHA256()
        for (name, t) in sd.entries {
            let line = "\(name)|\(t.dtype.rawValue)|[\(t.shape.map(String.init).joined(separator: ", "))]|\(SHA256.hash(t.bytes).hex)\n"
            h.update(Array(line.utf8))
        }
        return h.finalize().hex
    }

    func testBothSpacesPackEveryRunAsTorchReadsItWithSpaceAndSchema() throws {
        let library = SchemaLibrary(directory: ArchiveFixtures.repoRoot.appendingPathComponent("Schemas").path)
        for space in SearchSpaceKind.allCases {
            let input = Self.folder(space)
            let out = ArchiveFixtures.tempDirectory() + "/\(space.rawValue).h5"
            let report = try ArchiveFixtures.pack(.directory(input), to: out)
            let expected = try Self.expected(space)
            XCTAssertEqual(report.filesPacked, 3)
            XCTAssertEqual(report.inputsSeen, 4, "three run files and meta.pickle.pbz2, which is passed over")
            XCTAssertEqual(report.runsPacked, expected.values.reduce(0) { $0 + $1.count })
            XCTAssertTrue(report.problems.isEmpty)

            let reader = try ArchiveReader(path: out)
            XCTAssertEqual(reader.files, .nats(space))
            XCTAssertEqual(reader.searchSpace, space)
            for source in reader.sources {
                switch space {
                case .topology: XCTAssertEqual(source.archStr, SearchSpace.canonical.architecture(at: source.archIndex)?.description)
                case .size: XCTAssertEqual(source.archStr, ChannelSizes(index: source.archIndex)?.description)
                }
            }
            for (index, runs) in expected {
                for (key, (count, digest)) in runs {
                    let parts = key.split(separator: "/").map(String.init)
                    let schedule = try XCTUnwrap(Schedule(rawValue: parts[0]))
                    XCTAssertTrue(space.schedules.contains(schedule))
                    let run = try reader.run(arch: .index(index), dataset: parts[1], seed: Int(parts[2]), schedule: schedule)
                    XCTAssertEqual(run.key.schedule?.rawValue, parts[0])
                    let sd = try reader.stateDict(of: run)
                    XCTAssertEqual(sd.count, count, "\(space) \(index) \(key)")
                    XCTAssertEqual(Self.digest(sd), digest, "\(space) \(index) \(key)")
                    let results = try JSONSerialization.jsonObject(with: Data(try reader.resultsJSON(run).utf8)) as! [String: Any]
                    XCTAssertNil(results["net_state_dict"])
                    let config = try XCTUnwrap(results["arch_config"] as? [String: Any])
                    XCTAssertEqual(config["name"] as? String, space == .size ? "infer.shape.tiny" : nil)
                }
            }
            // Addressed by string too, in the archive's space only.
            let string = reader.sources[1].archStr
            XCTAssertEqual(try reader.archIndex(.string(string)), reader.sources[1].archIndex)
            XCTAssertThrowsError(try reader.archIndex(.index(0), space: space == .size ? .topology : .size))
            XCTAssertThrowsError(try reader.archIndex(.string(space == .size ? "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|" : "8:8:8:8:8")))

            XCTAssertEqual(try ArchiveIntegrity.verify(path: out), [])
            let file = try File.open(out)
            defer { file.close() }
            let schema = try library.schema(for: file)
            XCTAssertEqual(schema.version, 2)
            XCTAssertEqual(try SchemaChecker.check(file: file, schema: schema).map(\.description), [])
        }
    }

    func testTarAndSplitPartsPackTheSameRunsAsTheFolder() throws {
        // The size space's files are the smaller ones (a debug build decodes slowly); input forms do not depend on the space.
        for space in [SearchSpaceKind.size] {
            let dir = ArchiveFixtures.tempDirectory()
            _ = try ArchiveFixtures.pack(.directory(Self.folder(space)), to: dir + "/folder.h5")
            let expected = try ArchiveFixtures.runChecksums(dir + "/folder.h5")
            let name = Self.folderName[space]!
            let tarBytes = ArchiveFixtures.tar(Self.members(space).map { (name + "/" + $0.0, $0.1) })
            let tar = dir + "/" + name + ".tar"
            ArchiveFixtures.write(tarBytes, to: tar)
            let report = try ArchiveFixtures.pack(.tar(tar), to: dir + "/tar.h5")
            XCTAssertEqual(report.filesPacked, 3)
            XCTAssertEqual(try ArchiveFixtures.runChecksums(dir + "/tar.h5"), expected)
            XCTAssertEqual(try ArchiveReader(path: dir + "/tar.h5").files, .nats(space))

            // Parts cut at arbitrary bytes (inside members), as `split -b` would, given in order.
            let cuts = [0, tarBytes.count / 3 + 7, 2 * tarBytes.count / 3 + 1, tarBytes.count]
            var parts: [String] = []
            for i in 0..<3 {
                let p = tar + "a" + String(UnicodeScalar(UInt8(ascii: "a") + UInt8(i)))
                ArchiveFixtures.write(Array(tarBytes[cuts[i]..<cuts[i + 1]]), to: p)
                parts.append(p)
            }
            XCTAssertEqual(try WeightFiles.detect(parts), .nats(space))
            _ = try ArchiveFixtures.pack(.parts(parts), to: dir + "/parts.h5")
            XCTAssertEqual(try ArchiveFixtures.runChecksums(dir + "/parts.h5"), expected)
            XCTAssertEqual(try ArchiveIntegrity.verify(path: dir + "/parts.h5"), [])
        }
    }

    func testShardsMergeToTheOneProcessPackAndSpacesDoNotMix() throws {
        let dir = ArchiveFixtures.tempDirectory()
        let input = Self.folder(.size)
        _ = try ArchiveFixtures.pack(.directory(input), to: dir + "/one.h5")
        let expected = try ArchiveFixtures.runChecksums(dir + "/one.h5")
        var shards: [String] = []
        for k in 0..<2 {
            let p = dir + "/shard\(k).h5"
            let report = try ArchiveFixtures.pack(.directory(input), to: p) { $0.settings.shard = Shard(index: k, count: 2) }
            XCTAssertEqual(report.filesPacked, k == 0 ? 2 : 1, "0 and 284 are even, 11 is odd")
            shards.append(p)
        }
        _ = try ArchiveMerger.merge(shards: shards, output: dir + "/copy.h5", mode: .copy)
        XCTAssertEqual(try ArchiveFixtures.runChecksums(dir + "/copy.h5"), expected)
        XCTAssertEqual(try ArchiveReader(path: dir + "/copy.h5").files, .nats(.size))
        XCTAssertEqual(try ArchiveIntegrity.verify(path: dir + "/copy.h5"), [])
        _ = try ArchiveMerger.merge(shards: shards, output: dir + "/master.h5", mode: .links)
        XCTAssertEqual(try ArchiveFixtures.runChecksums(dir + "/master.h5"), expected)
        XCTAssertEqual(try ArchiveReader(path: dir + "/master.h5").searchSpace, .size)

        // Another space, or NAS-Bench-201's files, cannot be merged in.
        let tss = dir + "/tss-shard1.h5"
        _ = try ArchiveFixtures.pack(.directory(Self.folder(.topology)), to: tss) { $0.settings.shard = Shard(index: 1, count: 2) }
        let nb201 = dir + "/nb201-shard1.h5"
        _ = try ArchiveFixtures.pack(.directory(ArchiveFixtures.directory), to: nb201) { $0.settings.shard = Shard(index: 1, count: 2) }
        for other in [tss, nb201] {
            for mode in [ArchiveMerger.Mode.copy, .links] {
                XCTAssertThrowsError(try ArchiveMerger.merge(shards: [shards[0], other], output: dir + "/bad.h5", mode: mode)) {
                    XCTAssertTrue("\($0)".contains("holds one benchmark and search space"), "\($0)")
                }
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/bad.h5"))
    }

    func testDamagedFilesAreSkippedAndNamedWithKeepGoingAndStopThePackWithout() throws {
        let good = Self.read(Self.fixture(.size, 284))
        var badCRC = good   // a flipped bit in the stream's combined CRC (the last bytes)
        badCRC[good.count - 3] ^= 0x55
        var garbled = good  // a flipped byte inside a block: garbage before the block's CRC is reached
        garbled[good.count / 2] ^= 0x55
        let truncated = Array(good.prefix(good.count / 2))
        let misnamed = Self.read(Self.fixture(.size, 0))   // arch 0's file under the name 000011
        for (damaged, name, what) in [(badCRC, "000284.pickle.pbz2", "corrupt bz2 data"),
                                      (garbled, "000284.pickle.pbz2", "not a readable NATS-Bench bz2 pickle"),
                                      (truncated, "000284.pickle.pbz2", "ends before its end marker"),
                                      (misnamed, "000011.pickle.pbz2", "the file name says architecture 11")] {
            let input = Self.folder(.size, replacing: [name: damaged])
            let out = ArchiveFixtures.tempDirectory() + "/a.h5"
            let report = try ArchiveFixtures.pack(.directory(input), to: out) { $0.keepGoing = true }
            XCTAssertEqual(report.filesPacked, 2)
            XCTAssertEqual(report.problems.map(\.member), [name])
            XCTAssertTrue(report.problems[0].error.contains(what), report.problems[0].error)
            XCTAssertFalse(report.problems[0].error.contains("/proc/self"), report.problems[0].error)
            let reader = try ArchiveReader(path: out)
            XCTAssertEqual(reader.problems.count, 1)
            XCTAssertTrue(reader.problems[0].contains(name))
            XCTAssertEqual(try ArchiveIntegrity.verify(path: out), [])

            let stopped = ArchiveFixtures.tempDirectory() + "/b.h5"
            XCTAssertThrowsError(try ArchiveFixtures.pack(.directory(input), to: stopped)) { error in
                guard case .badInput(let member, let reason)? = error as? ArchiveError else { return XCTFail("\(error)") }
                XCTAssertEqual(member, name)
                XCTAssertTrue(reason.contains(what), reason)
            }
        }
        // In a tar the member is named by its path in the tar; the stream goes on after it.
        let tarBytes = ArchiveFixtures.tar(Self.members(.size).map { ("NATS-sss-v1_0-50262-full/" + $0.0, $0.0 == "000284.pickle.pbz2" ? badCRC : $0.1) })
        let dir = ArchiveFixtures.tempDirectory()
        ArchiveFixtures.write(tarBytes, to: dir + "/NATS-sss-v1_0-50262-full.tar")
        let report = try ArchiveFixtures.pack(.tar(dir + "/NATS-sss-v1_0-50262-full.tar"), to: dir + "/t.h5") { $0.keepGoing = true }
        XCTAssertEqual(report.problems.map(\.member), ["NATS-sss-v1_0-50262-full/000284.pickle.pbz2"])
        XCTAssertEqual(report.filesPacked, 2)
    }

    func testResumeAfterStopGivesTheSameArchive() throws {
        let dir = ArchiveFixtures.tempDirectory()
        let input = Self.folder(.size)
        _ = try ArchiveFixtures.pack(.directory(input), to: dir + "/one.h5")
        let expected = try ArchiveFixtures.runChecksums(dir + "/one.h5")
        let out = dir + "/resumed.h5"
        let first = try ArchiveFixtures.pack(.directory(input), to: out) {
            $0.batchBytes = 1
            $0.stopAfterCommits = 1
        }
        XCTAssertEqual(first.filesPacked, 1)
        XCTAssertFalse(try ArchiveReader(path: out).isComplete)
        let second = try ArchiveFixtures.pack(.directory(input), to: out) { $0.batchBytes = 1 }
        XCTAssertEqual(second.resumedAt, 1)
        XCTAssertEqual(second.filesPacked, 2)
        XCTAssertEqual(try ArchiveFixtures.runChecksums(out), expected)
        // The same files read as the other space are other inputs: refused, the file untouched.
        XCTAssertThrowsError(try ArchiveFixtures.pack(.directory(input), to: out) { $0.files = .nats(.topology) }) {
            XCTAssertTrue("\($0)".contains("cannot resume"), "\($0)")
        }
    }

    func testNamesDecideTheSpaceAndOldArchivesStillRead() throws {
        XCTAssertEqual(try WeightFiles.detect(["/x/NATS-tss-v1_0-3ffb9-full/"]), .nats(.topology))
        XCTAssertEqual(try WeightFiles.detect(["/x/NATS-sss-v1_0-50262-full.tar"]), .nats(.size))
        XCTAssertEqual(try WeightFiles.detect([ArchiveFixtures.directory]), .nasBench201)
        XCTAssertThrowsError(try WeightFiles.detect(["NATS-tss-full.taraa", "NATS-sss-full.tarab"]))
        // A folder of .pickle.pbz2 files whose name does not say the space.
        let input = Self.folder(.size)
        let renamed = (input as NSString).deletingLastPathComponent + "/weights"
        try FileManager.default.moveItem(atPath: input, toPath: renamed)
        XCTAssertThrowsError(try WeightFiles.detect([renamed])) { XCTAssertTrue("\($0)".contains("--space"), "\($0)") }
        // Given the space, the same files pack; given the wrong one, every file is named as not of it.
        let out = ArchiveFixtures.tempDirectory() + "/a.h5"
        XCTAssertEqual(try ArchiveFixtures.pack(.directory(renamed), to: out) { $0.files = .nats(.size) }.filesPacked, 3)
        let wrong = try ArchiveFixtures.pack(.directory(renamed), to: out + ".tss.h5") { $0.files = .nats(.topology); $0.keepGoing = true }
        XCTAssertEqual(wrong.filesPacked, 0)
        XCTAssertEqual(wrong.problems.count, 3)

        // Version 1 (no benchmark / search_space attributes) is NAS-Bench-201's.
        let old = ArchiveFixtures.tempDirectory() + "/v1.h5"
        _ = try ArchiveFixtures.pack(.directory(ArchiveFixtures.directory), to: old)
        let file = try File.open(old, mode: .readWrite)
        try file.deleteAttribute("benchmark")
        try file.deleteAttribute("search_space")
        try file.setAttribute("nasdata_schema_version", .int(1))
        file.close()
        let reader = try ArchiveReader(path: old)
        XCTAssertEqual(reader.files, .nasBench201)
        XCTAssertEqual(reader.runs.count, 6)
        XCTAssertEqual(try ArchiveIntegrity.verify(path: old), [])
    }
}
