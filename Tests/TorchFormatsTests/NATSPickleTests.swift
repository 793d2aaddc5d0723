import Checksums
import Foundation
import FixtureSupport
import NASDataIO
import Pickle
import XCTest
@testable import TorchFormats

/// NATS-Bench's files: bz2-compressed protocol-4 pickles (the authors' sample folders in
/// Tests/Fixtures/nats) and tensors pickled with Python's pickle (`_load_from_bytes`), in the
/// full-archive-style files Tools/fixtures/make-nats-fixtures.py made with nats_bench + torch.
final class NATSPickleTests: XCTestCase {
    static let nats = Repository.fixtures("nats")
    static func path(_ relative: String) -> String { nats.appendingPathComponent(relative).path }
    static let tssSimple = "NATS-tss-v1_0-3ffb9-simple", sssSimple = "NATS-sss-v1_0-50262-simple"

    func testSniffsBz2Pickles() throws {
        XCTAssertEqual(try AnyFile.sniff(path: Self.path("\(Self.tssSimple)/meta.pickle.pbz2")), .pickleBz2)
        XCTAssertEqual(try AnyFile.sniff(path: Self.path("generated/pickled-tensors-p4.pkl")), .pickle)
    }

    /// The real architecture lists: 15,625 topology strings in NB201's canonical order (same
    /// sha256 as the reference) and 32,768 size strings.
    func testMetaFilesHoldTheCanonicalLists() throws {
        let tss = try AnyFile.load(path: Self.path("\(Self.tssSimple)/meta.pickle.pbz2")).value
        let archs = try XCTUnwrap(tss["meta_archs"].list?.compactMap(\.string))
        XCTAssertEqual(archs.count, 15_625)
        XCTAssertEqual(tss["total_archs"].int, 15_625)
        XCTAssertEqual(SHA256.hash(Array((archs.joined(separator: "\n") + "\n").utf8)).hex,
                       "b24e2a8b6802be1326de041d81d564998ca8aa923055352f3a95c30d59ce7048")
        XCTAssertTrue(tss["arch2infos"].isNone)
        XCTAssertEqual(tss["evaluated_indexes"].list?.count, 0, "an empty set")
        let sss = try AnyFile.load(path: Self.path("\(Self.sssSimple)/meta.pickle.pbz2")).value
        let sizes = try XCTUnwrap(sss["meta_archs"].list?.compactMap(\.string))
        XCTAssertEqual(sizes.count, 32_768)
        XCTAssertEqual(Array(sizes.prefix(3)), ["8:8:8:8:8", "8:8:8:8:16", "8:8:8:8:24"])
        XCTAssertEqual(Set(sizes).count, 32_768)
    }

    func testPerArchitectureFileStructure() throws {
        let v = try AnyFile.load(path: Self.path("\(Self.tssSimple)/000011.pickle.pbz2")).value
        XCTAssertEqual(v.dict?.keys.compactMap(\.string), ["12", "200"])
        XCTAssertEqual(v.dict?.isOrdered, true)
        let hp12 = v["12"]
        XCTAssertEqual(hp12["arch_index"].int, 11)
        XCTAssertEqual(hp12["dataset_seed"]["cifar10-valid"].list?.compactMap(\.int), [111, 777], "the file's own order")
        let run = hp12["all_results"][("cifar10", 111)]
        XCTAssertEqual(run["seed"].string, "0111")
        XCTAssertEqual(run["epochs"].int, 12)
        if case .numpyScalar = run["params"] {} else { XCTFail("params is np.float64") }
        XCTAssertEqual(run["params"].double ?? 0, 0.802426, accuracy: 1e-9)
        XCTAssertTrue(run["net_state_dict"].isNone)
        let s = try AnyFile.load(path: Self.path("\(Self.sssSimple)/000011.pickle.pbz2")).value
        XCTAssertEqual(s.dict?.keys.compactMap(\.string), ["01", "12", "90"])
        XCTAssertEqual(s["90"]["arch_str"].string, "8:8:8:16:32")
        XCTAssertEqual(s["90"]["all_results"][("cifar10", 777)]["arch_config"]["name"].string, "infer.shape.tiny")
    }

    /// pickle.dumps of tensors (protocols 4 and 5): every tensor's dtype, shape and sha256 as torch
    /// computed them, including a transposed view and two views of one storage.
    func testPickledTensorsMatchTorch() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.path("generated/pickled-tensors.json")))
        let expected = try JSONSerialization.jsonObject(with: data) as! [String: [String: Any]]
        for p in [4, 5] {
            let (kind, value, _) = try AnyFile.load(path: Self.path("generated/pickled-tensors-p\(p).pkl"))
            XCTAssertEqual(kind, .pickle)
            let d = try XCTUnwrap(value.dict)
            XCTAssertEqual(d.count, expected.count)
            for (k, v) in d.items {
                let name = try XCTUnwrap(k.string), t = try XCTUnwrap(v.tensor, name)
                let e = try XCTUnwrap(expected[name])
                XCTAssertEqual(t.dtype.rawValue, e["dtype"] as? String, name)
                XCTAssertEqual(t.shape, e["shape"] as? [Int], name)
                XCTAssertEqual(try TreeRenderer.digest(t), e["sha256"] as? String, "\(name) protocol \(p)")
            }
        }
    }

    /// Every net_state_dict of the full-archive-style files, tensor by tensor, equals what torch
    /// read back from them (digest over key|dtype|shape|sha256 lines, as the script wrote it).
    func testFullArchiveWeightsMatchTorch() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.path("generated/full-expected.json")))
        let expected = try JSONSerialization.jsonObject(with: data) as! [String: [String: [String: Any]]]
        XCTAssertEqual(expected.count, 2)
        for (file, runs) in expected {
            let v = try AnyFile.load(path: Self.path("generated/\(file)")).value
            var seen = 0
            for (hp, state) in try XCTUnwrap(v.dict).items {
                for (key, result) in try XCTUnwrap(state["all_results"].dict).items {
                    let id = "\(hp.string!)/\(key.tuple![0].string!)/\(key.tuple![1].int!)"
                    let e = try XCTUnwrap(runs[id], id)
                    let sd = try XCTUnwrap(result["net_state_dict"].dict, id)
                    var lines = ""
                    for (name, t) in sd.items {
                        let tensor = try XCTUnwrap(t.tensor)
                        lines += "\(name.string!)|\(tensor.dtype.rawValue)|[\(tensor.shape.map(String.init).joined(separator: ", "))]|\(try TreeRenderer.digest(tensor))\n"
                    }
                    XCTAssertEqual(sd.count, e["tensors"] as? Int, id)
                    XCTAssertEqual(SHA256.hash(Array(lines.utf8)).hex, e["digest"] as? String, "\(file) \(id)")
                    seen += 1
                }
            }
            XCTAssertEqual(seen, runs.count, file)
        }
    }

    /// Without the torch loader (a bare Unpickler) a pickled storage is refused, not guessed at.
    func testLoadFromBytesNeedsTheTorchLoader() throws {
        let path = Self.path("generated/pickled-tensors-p4.pkl")
        XCTAssertThrowsError(try Unpickler.load(path: path)) { error in
            XCTAssertTrue("\(error)".contains("torch.storage._load_from_bytes: a storage saved inside the pickle needs the torch loader"), "\(error)")
        }
    }

    /// A _load_from_bytes payload that is not a legacy torch file, or holds something other than
    /// a storage, or nests another _load_from_bytes: one clear error naming the file.
    func testHostileLoadFromBytesPayloads() throws {
        func pickle(payload: [UInt8]) -> [UInt8] {
            var b: [UInt8] = [0x80, 0x04]
            for s in ["torch.storage", "_load_from_bytes"] { b += [0x8C, UInt8(s.utf8.count)] + Array(s.utf8) }
            b += [0x93, 0x43, UInt8(payload.count)] + payload + [0x85, 0x52, 0x2E]  // STACK_GLOBAL, SHORT_BINBYTES, TUPLE1, REDUCE, STOP
            return b
        }
        let options = TorchCheckpoint.pickleOptions()
        // not a torch file at all
        XCTAssertThrowsError(try Unpickler.load(bytes: pickle(payload: [0x80, 0x02, 0x4B, 0x05, 0x2E]), name: "h.pkl", options: options)) {
            XCTAssertTrue("\($0)".hasPrefix("h.pkl (storage at byte 44) (byte "), "\($0)")
            XCTAssertTrue("\($0)".contains("damaged magic number"), "\($0)")
        }
        // a legacy file whose object is an int, not a storage
        let legacyInt: [UInt8] = [0x80, 0x02, 0x8A, 0x0A] + TorchCheckpoint.legacyMagic + [0x2E,
            0x80, 0x02, 0x4D, 0xE9, 0x03, 0x2E, 0x80, 0x02, 0x7D, 0x2E, 0x80, 0x02, 0x4B, 0x07, 0x2E, 0x80, 0x02, 0x5D, 0x2E]
        XCTAssertThrowsError(try Unpickler.load(bytes: pickle(payload: legacyInt), name: "h.pkl", options: options)) {
            XCTAssertTrue("\($0)".contains("holds int, not a storage"), "\($0)")
        }
        // a legacy file whose object pickle itself calls _load_from_bytes
        var nested: [UInt8] = [0x80, 0x02, 0x8A, 0x0A] + TorchCheckpoint.legacyMagic + [0x2E,
            0x80, 0x02, 0x4D, 0xE9, 0x03, 0x2E, 0x80, 0x02, 0x7D, 0x2E]
        nested += [0x80, 0x02] + Array("ctorch.storage\n_load_from_bytes\n".utf8) + [0x43, 0x01, 0x00, 0x85, 0x52, 0x2E]
        nested += [0x80, 0x02, 0x5D, 0x2E]
        XCTAssertThrowsError(try Unpickler.load(bytes: pickle(payload: nested), name: "h.pkl", options: options)) {
            XCTAssertTrue("\($0)".contains("needs the torch loader"), "nesting refused: \($0)")
        }
    }

    /// Pickle bombs inside bz2: the decompression cap stops the parse with the cap's message.
    func testPickleBombStopsAtTheCap() throws {
        let path = Self.path("generated/hostile/bomb-pickle.pbz2")
        XCTAssertThrowsError(try AnyFile.load(path: path, maxBytes: 1 << 20)) { error in
            XCTAssertTrue("\(error)".hasPrefix(path), "\(error)")
            XCTAssertTrue("\(error)".contains("decompresses to more than 1048576 bytes, the cap"), "\(error)")
        }
        XCTAssertThrowsError(try TreeStats.gather(path: path, maxBytes: 4096)) {
            XCTAssertTrue("\($0)".contains("more than 4096 bytes, the cap"), "\($0)")
        }
    }

    /// Two bz2 streams holding two pickles: read one after the other from one stream.
    func testConsecutivePicklesAcrossStreams() throws {
        let bz = try Bzip2Reader(path: Self.path("generated/hostile/multistream.pbz2"))
        let u = Unpickler(reader: ByteReader(stream: bz, limit: bz.maxBytes))
        XCTAssertEqual(try u.load()["first"].int, 1)
        let second = try u.load()
        XCTAssertEqual(second[0].string, "second")
        XCTAssertEqual(second[1].int, 2)
        // As a file, it is one pickle followed by bytes no format explains: refused at the STOP's end.
        XCTAssertThrowsError(try AnyFile.load(path: Self.path("generated/hostile/multistream.pbz2"))) { error in
            guard let e = error as? PickleError, case .trailingBytes(let n) = e.reason else { return XCTFail("\(error)") }
            XCTAssertEqual(e.offset, 25)   // len(pickle.dumps({"first": 1}, protocol=4))
            XCTAssertEqual(n, 27)          // the second pickle
        }
    }

    /// A truncated or corrupt .pickle.pbz2: one line naming the file, from the bz2 layer.
    func testDamagedCompressedPickles() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Self.path("\(Self.tssSimple)/000000.pickle.pbz2"))))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("natspkl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cut = dir.appendingPathComponent("cut.pickle.pbz2").path
        try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: cut))
        XCTAssertThrowsError(try AnyFile.load(path: cut)) {
            XCTAssertEqual("\($0)".components(separatedBy: ": ").first, cut)
            XCTAssertTrue("\($0)".contains("bz2 stream ends before its end marker"), "\($0)")
        }
    }
}
