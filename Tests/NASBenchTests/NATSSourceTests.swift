import FixtureSupport
import Foundation
import NASDataIO
import Pickle
import XCTest
@testable import NASBench

/// The three forms of a NATS-Bench benchmark (single file, -simple folder, -simple tar) give the
/// same architectures, schedules and results, in index order (Tests/Fixtures/nats).
final class NATSSourceTests: XCTestCase {
    static let nats = Repository.fixtures("nats")
    static func path(_ relative: String) -> String { nats.appendingPathComponent(relative).path }

    struct Seen: Equatable {
        var index: Int, hp: String, arch: String, runs: Int, seeds: [String]
    }

    func collect(_ source: NATSSource) throws -> ([Seen], NATSSource.Meta) {
        var seen: [Seen] = []
        let meta = try source.forEach { item in
            let seeds = (item.results["dataset_seed"].dictItems ?? []).map { k, v in
                "\(k.string ?? "?"):\((v.list ?? []).compactMap(\.int).map(String.init).joined(separator: ","))"
            }
            seen.append(Seen(index: item.index, hp: item.hp, arch: item.results["arch_str"].string ?? "",
                             runs: item.results["all_results"].dict?.count ?? -1, seeds: seeds))
        }
        return (seen, meta)
    }

    func testEveryFormGivesTheSameResults() throws {
        for (base, hps, count) in [("NATS-tss-v1_0-3ffb9", ["12", "200"], 15_625), ("NATS-sss-v1_0-50262", ["01", "12", "90"], 32_768)] {
            let single = try NATSSource(path: Self.path("generated/\(base).pickle.pbz2"))
            let folder = try NATSSource(path: Self.path("\(base)-simple"))
            let tar = try NATSSource(path: Self.path("generated/\(base)-simple.tar"))
            XCTAssertEqual([single.form, folder.form, tar.form], [.singleFile, .folder, .tar])
            let (a, metaA) = try collect(single), (b, metaB) = try collect(folder), (c, metaC) = try collect(tar)
            XCTAssertEqual(a.count, 3 * hps.count, base)
            XCTAssertEqual(a, b, base)
            XCTAssertEqual(a, c, base)
            // Decoded on several threads: the same items in the same order.
            var (folder3, tar3) = (folder, tar)
            (folder3.jobs, tar3.jobs) = (3, 3)
            let (b3, metaB3) = try collect(folder3), (c3, metaC3) = try collect(tar3)
            XCTAssertEqual(a, b3, base)
            XCTAssertEqual(a, c3, base)
            XCTAssertEqual(metaB3.evaluatedIndexes, metaB.evaluatedIndexes)
            XCTAssertEqual(metaC3.evaluatedIndexes, metaC.evaluatedIndexes)
            XCTAssertEqual(a.map(\.index), [0, 11, 284].flatMap { Array(repeating: $0, count: hps.count) })
            XCTAssertEqual(Array(a.prefix(hps.count)).map(\.hp), hps, "hp keys as the files spell them")
            for meta in [metaA, metaB, metaC] {
                XCTAssertEqual(meta.metaArchs.count, count)
                XCTAssertEqual(meta.totalArchs, count)
                XCTAssertEqual(meta.evaluatedIndexes, [0, 11, 284])
            }
            for s in a { XCTAssertEqual(metaA.metaArchs[s.index], s.arch, "arch_str agrees with meta_archs") }
        }
        // seeds in each file's own order (the topology file's hp 12 run lists 111 before 777)
        let (tss, _) = try collect(NATSSource(path: Self.path("NATS-tss-v1_0-3ffb9-simple")))
        XCTAssertTrue(tss.first { $0.index == 11 && $0.hp == "12" }!.seeds.contains("cifar10-valid:111,777"))
    }

    func testMisnamedAndDamagedMembers() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nats-src-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = Self.path("NATS-sss-v1_0-50262-simple")
        try FileManager.default.copyItem(atPath: src + "/meta.pickle.pbz2", toPath: dir.path + "/meta.pickle.pbz2")
        try FileManager.default.copyItem(atPath: src + "/000011.pickle.pbz2", toPath: dir.path + "/000012.pickle.pbz2")
        XCTAssertThrowsError(try collect(NATSSource(path: dir.path))) {
            XCTAssertTrue("\($0)".contains("000012.pickle.pbz2: ['01']['arch_index']: is 11, but the file is named for index 12"), "\($0)")
        }
        try FileManager.default.removeItem(atPath: dir.path + "/000012.pickle.pbz2")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: src + "/000284.pickle.pbz2"))
        try bytes.prefix(bytes.count / 2).write(to: dir.appendingPathComponent("000284.pickle.pbz2"))
        XCTAssertThrowsError(try collect(NATSSource(path: dir.path))) {
            XCTAssertTrue("\($0)".contains("000284.pickle.pbz2: truncated"), "\($0)")
        }
        // On several threads the error is still the first damaged file's in index order, although
        // a later one (000284, misnamed) may fail first.
        try bytes.prefix(bytes.count / 2).write(to: dir.appendingPathComponent("000000.pickle.pbz2"))
        try FileManager.default.removeItem(atPath: dir.path + "/000284.pickle.pbz2")
        try FileManager.default.copyItem(atPath: src + "/000011.pickle.pbz2", toPath: dir.path + "/000284.pickle.pbz2")
        for jobs in [1, 2, 4] {
            var source = try NATSSource(path: dir.path)
            source.jobs = jobs
            XCTAssertThrowsError(try collect(source)) {
                XCTAssertTrue("\($0)".contains("000000.pickle.pbz2: truncated"), "jobs \(jobs): \($0)")
            }
        }
        try FileManager.default.removeItem(atPath: dir.path + "/meta.pickle.pbz2")
        XCTAssertThrowsError(try collect(NATSSource(path: dir.path))) {
            XCTAssertTrue("\($0)".contains("no meta.pickle.pbz2"), "\($0)")
        }
    }

    /// A tar cut inside a member: the member's copy fails at the tar's end with a one-line error
    /// naming the tar and the member (serial and threaded alike).
    func testTarCutInsideAMember() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.path("generated/NATS-sss-v1_0-50262-simple.tar")))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nats-cut-\(UUID().uuidString).tar")
        defer { try? FileManager.default.removeItem(at: url) }
        // The last member's data start after the last 512-byte header that names it.
        let name = Array("000284.pickle.pbz2".utf8)
        let header = (0..<(bytes.count / 512)).last { block in
            Array(bytes[(block * 512)..<(block * 512 + 512)]).firstRange(of: name) != nil
        }!
        try bytes.prefix(header * 512 + 512 + 100).write(to: url)
        for jobs in [1, 3] {
            var source = try NATSSource(path: url.path)
            source.jobs = jobs
            XCTAssertThrowsError(try collect(source)) {
                let text = "\($0)"
                XCTAssertTrue(text.contains(url.path) && text.contains("000284.pickle.pbz2"), "jobs \(jobs): \(text)")
                XCTAssertFalse(text.contains("\n"), text)
            }
        }
        // An earlier member damaged as well: its error comes first, as one thread reports it,
        // although the reader hits the cut while the workers still decode that member.
        var damaged = Array(bytes.prefix(header * 512 + 512 + 100))
        let first = (0..<(damaged.count / 512)).first { block in
            Array(damaged[(block * 512)..<(block * 512 + 512)]).firstRange(of: Array("000000.pickle.pbz2".utf8)) != nil
        }!
        for i in 0..<64 { damaged[(first + 1) * 512 + 400 + i] ^= 0xA5 }
        try Data(damaged).write(to: url)
        for jobs in [1, 3] {
            var source = try NATSSource(path: url.path)
            source.jobs = jobs
            XCTAssertThrowsError(try collect(source)) {
                XCTAssertTrue("\($0)".contains("000000.pickle.pbz2"), "jobs \(jobs): \($0)")
            }
        }
    }
}
