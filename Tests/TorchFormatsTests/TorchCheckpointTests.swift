import Checksums
import FixtureSupport
import XCTest
import Pickle
@testable import TorchFormats
import NASDataIO
import Tensors

final class TorchCheckpointTests: XCTestCase {
    func checkTensor(_ t: Tensor, _ exp: [String: Any], _ what: String) {
        XCTAssertEqual(t.dtype.rawValue, exp["dtype"] as? String, what)
        XCTAssertEqual(t.shape, exp["shape"] as? [Int], what)
        XCTAssertEqual(SHA256.hash(t.bytes).hex, exp["sha256"] as? String, what)
    }

    /// Both torch formats of the same object: every dtype, views, shared storages,
    /// non-contiguous, empty and 0-d tensors, big ints, tuple keys, numpy values.
    func testTrickyObjectInBothFormats() throws {
        let exp = try PickleFixtures.expectedJSON()["tricky"] as! [String: [String: Any]]
        for file in ["tricky_legacy.pth", "tricky_zip.pth"] {
            let v = try TorchCheckpoint.load(path: PickleFixtures.path(file))
            let tensors = try XCTUnwrap(v["tensors"].dict, file)
            XCTAssertEqual(tensors.count, 18)
            for (k, t) in tensors.items {
                let name = k.string!
                checkTensor(try XCTUnwrap(t.tensor, name).materialize(), exp[name]!, "\(file) \(name)")
            }
            // Shared storage: base, view_rows and transposed name the same storage object.
            XCTAssertTrue(v["tensors"]["base"].tensor!.storage === v["tensors"]["transposed"].tensor!.storage)
            XCTAssertEqual(v["tensors"]["view_rows"].tensor?.storageOffset, 6)
            XCTAssertEqual(v["big_int"].shortDescription, "1180591620717411315769")
            XCTAssertEqual(v["neg_big_int"].shortDescription, "-36893488147419103239")
            XCTAssertEqual(v["int"].int, 123456789)
            XCTAssertEqual(v["neg_int"].int, -5)
            XCTAssertEqual(v["float"].double, 0.1)
            XCTAssertEqual(v["str"].string, "h\u{e9}llo \u{4e16}\u{754c}")
            XCTAssertEqual(v["bytes"].bytes, [0, 255, 97, 98, 99])
            XCTAssertTrue(v["none"].isNone)
            XCTAssertEqual(v["tuple_keys"][("cifar100", 888)].double, 2.5)
            XCTAssertEqual(v["int_keys"][15624].string, "b")
            XCTAssertEqual(v["int_keys"][-3].string, "c")
            XCTAssertEqual(Set(v["set"].list!.compactMap(\.int)), [1, 2, 3])
            XCTAssertEqual(v["nested"]["a"][1][1][1][1].int, 5)
            XCTAssertEqual(v["np_float64"].double, 0.25)
            XCTAssertEqual(v["np_int64"].int, -42)
            for name in ["np_array", "np_fortran", "np_big_endian", "np_uint8"] {
                checkTensor(try XCTUnwrap(v[.string(name)].ndarray, name).tensor(), exp[name]!, "\(file) \(name)")
            }
            // Shared references stay shared.
            XCTAssertEqual(v["shared_list"]["first"], v["shared_list"]["second"])
        }
    }

    func testStateDictOfARealModule() throws {
        let exp = try PickleFixtures.expectedJSON()["state_dict"] as! [String: Any]
        let tensors = exp["tensors"] as! [String: [String: Any]]
        for file in ["state_dict_legacy.pth", "state_dict_zip.pth"] {
            let v = try TorchCheckpoint.load(path: PickleFixtures.path(file))
            XCTAssertTrue(v.dict!.isOrdered)
            XCTAssertNotNil(v.dict!.state?["_metadata"].dict, "state_dict _metadata kept")
            let sd = try v.stateDict()
            XCTAssertEqual(sd.names, exp["names"] as! [String])
            for (name, t) in sd.entries { checkTensor(t, tensors[name]!, "\(file) \(name)") }
            XCTAssertEqual(sd["1.num_batches_tracked"]?.dtype, .int64)
        }
    }

    func testNB201LikeRecord() throws {
        let v = try TorchCheckpoint.load(path: PickleFixtures.path("nb201_like_legacy.pth"))
        let run = v["full"]["all_results"][("cifar10", 888)]
        XCTAssertEqual(run["seed"].string, "0888")
        XCTAssertEqual(run["params"].double, 0.8)
        XCTAssertEqual(run["eval_acc1es"]["x-valid@2"].double, 52.0)
        XCTAssertEqual(run["train_acc1es"][1].double, 11.0)
        XCTAssertEqual(try run["net_state_dict"].stateDict()["w"]?.scalars(as: Float.self), [888, 888, 888, 888])
        XCTAssertEqual(v["full"]["dataset_seed"]["cifar10"].list?.compactMap(\.int), [777, 888])
    }

    func testStreamingHookOnACheckpoint() throws {
        var seen: [String] = []
        var weights: [PickleValue] = []
        let v = try TorchCheckpoint.load(path: PickleFixtures.path("nb201_like_legacy.pth")) { item in
            guard let key = item.key.tuple, key.count == 2, item.value["net_state_dict"].dict != nil else { return .keep }
            seen.append("\(key[0].string!)/\(key[1].int!)")
            weights.append(item.value["net_state_dict"])  // legacy storages are readable once load returns
            return .drop
        }
        XCTAssertEqual(seen.sorted(), ["cifar10-valid/777", "cifar10-valid/888", "cifar10/777", "cifar10/888"])
        XCTAssertEqual(try weights.map { try $0.stateDict()["w"]!.scalars(as: Float.self)[0] }, [777, 888, 777, 888])
        XCTAssertEqual(v["full"]["all_results"].dict?.count, 0)
        XCTAssertEqual(v["full"]["arch_index"].int, 7)
    }

    func testTorchSaveRoundTrip() throws {
        let dir = NSTemporaryDirectory() + "nasdata-pickle-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sd = try TorchCheckpoint.load(path: PickleFixtures.path("state_dict_zip.pth")).stateDict()
        let out = dir + "/w.pth"
        try TorchSave.writeStateDict(sd, to: out)
        XCTAssertEqual(try TorchCheckpoint.format(of: out), .zip)
        XCTAssertEqual(try TorchCheckpoint.load(path: out).stateDict(), sd)
        XCTAssertEqual(try TorchCheckpoint.verifyChecksums(path: out), 6 + sd.count)
    }

    func testZipCRCMismatchIsDetected() throws {
        let dir = NSTemporaryDirectory() + "nasdata-pickle-crc-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: PickleFixtures.path("state_dict_zip.pth"))))
        // Flip a byte inside the first storage (entry data/0 follows data.pkl and small records).
        let marker = Array("data/0".utf8)
        let at = (0..<bytes.count - marker.count).first { Array(bytes[$0..<$0 + marker.count]) == marker }!
        let dataStart = ((at + marker.count + 63) / 64) * 64
        bytes[dataStart + 3] ^= 0x40
        let bad = dir + "/bad.pth"
        try Data(bytes).write(to: URL(fileURLWithPath: bad))
        let v = try TorchCheckpoint.load(path: bad)
        XCTAssertThrowsError(try v.stateDict()) { e in
            XCTAssertTrue("\(e)".contains("CRC-32 mismatch"), "\(e)")
            XCTAssertTrue("\(e)".contains(bad))
        }
    }

    func testTruncatedAndWrongMagic() throws {
        let dir = NSTemporaryDirectory() + "nasdata-pickle-trunc-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let good = try Array(Data(contentsOf: URL(fileURLWithPath: PickleFixtures.path("state_dict_legacy.pth"))))
        let cut = dir + "/cut.pth"
        try Data(good[0..<good.count - 100]).write(to: URL(fileURLWithPath: cut))
        XCTAssertThrowsError(try TorchCheckpoint.load(path: cut)) { XCTAssertTrue("\($0)".contains(cut), "\($0)") }
        let plain = PickleFixtures.path("plain_p2.pkl")
        XCTAssertThrowsError(try TorchCheckpoint.load(path: plain)) { XCTAssertTrue("\($0)".contains("legacy magic"), "\($0)") }
    }
}

final class NPYSafetensorsTests: XCTestCase {
    func testNPYReadsNumpyFiles() throws {
        let exp = try PickleFixtures.expectedJSON()["npy"] as! [String: [String: Any]]
        for (name, e) in exp {
            let t = try NPY.read(path: PickleFixtures.path(name))
            XCTAssertEqual(t.shape, e["shape"] as? [Int], name)
            XCTAssertEqual(SHA256.hash(t.bytes).hex, e["sha256"] as? String, name)
        }
    }

    func testNPYAndSafetensorsRoundTrip() throws {
        let dir = NSTemporaryDirectory() + "nasdata-pickle-rt-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let t = Tensor(shape: [2, 2], scalars: [Int32](arrayLiteral: 1, -2, 3, 4))
        try NPY.write(t, to: dir + "/a.npy")
        XCTAssertEqual(try NPY.read(path: dir + "/a.npy"), t)
        let (sd, meta) = try Safetensors.read(path: PickleFixtures.path("weights.safetensors"))
        let exp = try PickleFixtures.expectedJSON()["safetensors"] as! [String: Any]
        XCTAssertEqual(meta, exp["metadata"] as! [String: String])
        let tensors = exp["tensors"] as! [String: [String: Any]]
        XCTAssertEqual(Set(sd.names), Set(tensors.keys))
        for (name, t) in sd.entries { XCTAssertEqual(SHA256.hash(t.bytes).hex, tensors[name]!["sha256"] as? String, name) }
        try Safetensors.write(sd, metadata: meta, to: dir + "/w.safetensors")
        let (back, meta2) = try Safetensors.read(path: dir + "/w.safetensors")
        XCTAssertEqual(back, sd)
        XCTAssertEqual(meta2, meta)
    }
}
