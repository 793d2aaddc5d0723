import Checksums
import Foundation
import NASCore
import Pickle
import Tensors
import TorchFormats
import XCTest
import WeightArchive

/// `ArchiveQuery` (what `nasdata archive ls|info|extract` print and write) on an archive packed
/// from the fixture checkpoints, against the facts recorded with them (`expected.json`).
final class ArchiveQueryTests: XCTestCase {
    private func packed() throws -> (dir: String, path: String) {
        let dir = ArchiveFixtures.tempDirectory()
        _ = try ArchiveFixtures.pack(.directory(ArchiveFixtures.directory), to: dir + "/a.h5")
        return (dir, dir + "/a.h5")
    }

    private var expectedRuns: [(file: String, arch: Int, run: ArchiveFixtures.ExpectedRun)] {
        ArchiveFixtures.expected.sorted { $0.key < $1.key }.flatMap { name, file in file.runs.map { (name, file.arch_index, $0) } }
    }

    func testListShowsEveryRunAndFiltersByArchitecture() throws {
        let (dir, path) = try packed()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let all = try ArchiveQuery.list(archive: path)
        let want = expectedRuns
        XCTAssertEqual(all.rows.count, want.count)
        XCTAssertEqual(Set(all.rows.map { "\($0.source) \($0.key.archIndex) \($0.key.hp) \($0.key.dataset) \($0.key.seed) \($0.tensors)" }),
                       Set(want.map { "\($0.file) \($0.arch) \($0.run.hp) \($0.run.dataset) \($0.run.seed) \($0.run.tensors)" }))
        XCTAssertEqual(all.lines.first, "arch\thp\tdataset\tseed\ttensors\tbytes")
        XCTAssertEqual(all.lines.count, want.count + 1)

        let arch = ArchiveFixtures.expected["000025-FULL.pth"]!
        for selector in [ArchitectureSelector.index(arch.arch_index), ArchitectureSelector(parsing: arch.arch_str)] {
            let one = try ArchiveQuery.list(archive: path, arch: selector)
            XCTAssertEqual(one.rows.map(\.key.archIndex), Array(repeating: arch.arch_index, count: arch.runs.count))
            let doc = try JSONSerialization.jsonObject(with: Data(one.json.utf8)) as! [[String: Any]]
            XCTAssertEqual(doc.map { $0["source"] as? String }, Array(repeating: "000025-FULL.pth", count: arch.runs.count))
            XCTAssertEqual(doc.map { $0["bytes"] as? Int }, one.rows.map(\.bytes))
        }
        XCTAssertEqual(try ArchiveQuery.list(archive: path, arch: .index(7)).lines, ["arch\thp\tdataset\tseed\ttensors\tbytes"])
        XCTAssertThrowsError(try ArchiveQuery.list(archive: path, arch: ArchitectureSelector(parsing: "garbage"))) {
            XCTAssertTrue("\($0)".hasPrefix("\(path): no run for architecture garbage"), "\($0)")
        }
    }

    func testInfoSummarizesTheArchive() throws {
        let (dir, path) = try packed()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let info = try ArchiveQuery.info(archive: path)
        XCTAssertEqual(info.field("search_space"), .string(SearchSpaceKind.topology.rawValue))
        XCTAssertEqual(info.fields.prefix(15).map(\.0), ["path", "schema", "benchmark", "search_space", "files", "complete", "sources", "runs", "architectures",
                                                          "runs_by_dataset", "tensor_bytes", "input_bytes", "archive_bytes",
                                                          "archive_to_input", "problems"])
        XCTAssertEqual(info.field("schema"), .string("nb201-archive"))
        XCTAssertEqual(info.field("complete"), .bool(true))
        XCTAssertEqual(info.field("sources"), .int(3))
        XCTAssertEqual(info.field("runs"), .int(Int64(expectedRuns.count)))
        XCTAssertEqual(info.field("input_bytes"), .int(ArchiveFixtures.expected.values.reduce(0) { $0 + $1.size }))
        XCTAssertEqual(info.field("archive_bytes"), .int(Int64(try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int)))
        var byDataset: [String: Int] = [:]
        for r in expectedRuns { byDataset[r.run.dataset, default: 0] += 1 }
        let doc = try JSONSerialization.jsonObject(with: Data(info.json.utf8)) as! [String: Any]
        XCTAssertEqual(doc["runs_by_dataset"] as? [String: Int], byDataset)
        XCTAssertEqual(doc["problems"] as? [String], [])
        XCTAssertTrue(info.lines.contains("problems: none"), "\(info.lines)")
        XCTAssertTrue(info.lines.contains("path: \(path)"), "\(info.lines)")
    }

    func testExtractWritesTheRunsTensors() throws {
        let (dir, path) = try packed()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = ArchiveFixtures.expected["000003-FULL.pth"]!
        for run in file.runs {
            for ext in ["pth", "safetensors"] {
                let key = RunKey(architecture: .index(file.arch_index), dataset: NB201Dataset(name: run.dataset)!, seed: nil,
                                 schedule: Schedule(epochs: run.hp))
                var request = ArchiveExtractRequest(archive: path, key: key, output: "\(dir)/\(run.dataset)-\(run.hp).\(ext)")
                request.results = ext == "pth"
                let report = try ArchiveQuery.extract(request)
                XCTAssertEqual(report.tensors, run.tensors)
                XCTAssertEqual(report.archStr, file.arch_str)
                XCTAssertEqual(report.key.seed, run.seed)
                XCTAssertEqual(report.line, "\(request.output): \(run.tensors) tensors of arch \(file.arch_index) hp \(run.hp) dataset \(run.dataset) seed \(run.seed) (\(file.arch_str))")
                let sd: StateDict
                if ext == "safetensors" {
                    let (read, metadata) = try Safetensors.read(path: request.output)
                    XCTAssertEqual(metadata["arch_str"], file.arch_str)
                    XCTAssertEqual(metadata["hp"], String(run.hp))
                    sd = read
                } else {
                    sd = try TorchCheckpoint.load(path: request.output).stateDict()
                    let results = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: request.output + ".results.json"))) as! [String: Any]
                    XCTAssertEqual(results["params"] as? Double, run.params)
                }
                XCTAssertEqual(sd.names.first, run.first)
                let h = SHA256()
                for (_, t) in sd.entries { h.update(t.bytes) }
                XCTAssertEqual(h.finalize().hex, run.tensor_bytes_sha256, "\(run.dataset) hp \(run.hp) \(ext)")
            }
        }
        let missing = ArchiveExtractRequest(archive: path, key: RunKey(architecture: .index(file.arch_index), dataset: NB201Dataset(name: "cifar100")!,
                                                                        seed: 1, schedule: Schedule(epochs: 200)), output: dir + "/none.pth")
        XCTAssertThrowsError(try ArchiveQuery.extract(missing)) { XCTAssertTrue($0 is ArchiveError, "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/none.pth"))
    }
}
