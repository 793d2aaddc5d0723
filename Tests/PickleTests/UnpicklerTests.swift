import Checksums
import FixtureSupport
import XCTest
@testable import Pickle
import Tensors

final class UnpicklerTests: XCTestCase {
    /// The same plain data pickled by CPython at protocols 0..5 reads the same.
    func testPlainDataAtEveryProtocol() throws {
        for proto in 0...5 {
            let v = try Unpickler.load(path: PickleFixtures.path("plain_p\(proto).pkl"))
            let ints = try XCTUnwrap(v["ints"].list, "protocol \(proto)")
            XCTAssertEqual(ints.prefix(11).map(\.int), [0, 1, -1, 255, 256, 65535, 65536, 2147483647, -2147483648,
                                                         Int.max, Int.min], "protocol \(proto)")
            XCTAssertEqual(ints[11].shortDescription, "18446744073709551616")
            XCTAssertEqual(ints[12].shortDescription, "-1267650600228229401496703205376")
            XCTAssertEqual(v["floats"].list?.map(\.double), [0, -1.5, 1e300, .infinity])
            XCTAssertEqual(v["str"].string, "caf\u{e9}")
            XCTAssertEqual(v["bytes"].bytes, [1, 2], "protocol \(proto)")
            XCTAssertEqual(v["tuple"][1].string, "two")
            XCTAssertEqual(v["tuple"][2][0].double, 3.0)
            XCTAssertTrue(v["dict"].contains("k") && v["dict"]["k"].isNone)
            XCTAssertEqual(v["dict"][1].bool, true)
            XCTAssertEqual(v["dict"][.int(1), .int(2)].bool, false)
            XCTAssertEqual(Set(v["set"].list?.compactMap(\.int) ?? []), [4, 5])
        }
    }

    /// A Python-2-style CIFAR batch: SHORT_BINSTRING/BINSTRING strings, numpy array data as a str.
    func testPython2CifarBatch() throws {
        let exp = try PickleFixtures.expectedJSON()["cifar_like"] as! [String: Any]
        let data = exp["data"] as! [String: Any]
        for (file, mode) in [("cifar_like_py2.pkl", Unpickler.Python2Strings.latin1), ("cifar_like_py2.pkl", .bytes),
                             ("cifar_like_py3.pkl", .latin1)] {
            var o = Unpickler.Options()
            o.python2Strings = mode
            let v = try Unpickler.load(path: PickleFixtures.path(file), options: o)
            let key: (String) -> PickleValue = { file.hasSuffix("py3.pkl") || mode == .bytes ? .bytes(Array($0.utf8)) : .string($0) }
            XCTAssertEqual(v[key("labels")].list?.compactMap(\.int), [3, 1, 4, 1], file)
            XCTAssertEqual(v[key("batch_label")].string, "training batch 1 of 5", file)
            let arr = try XCTUnwrap(v[key("data")].ndarray, file)
            let t = try arr.tensor()
            XCTAssertEqual(t.dtype, .uint8)
            XCTAssertEqual(t.shape, data["shape"] as! [Int])
            XCTAssertEqual(SHA256.hash(t.bytes).hex, data["sha256"] as! String, file)
            XCTAssertEqual(v[key("filenames")].list?.count, 4)
        }
    }

    func testRefusesUnknownGlobalNamingItAndOffset() {
        // \x80\x02 c os\nsystem\n (GLOBAL at byte 2)
        let bytes: [UInt8] = [0x80, 0x02, 0x63] + Array("os\nsystem\n".utf8) + [0x29, 0x52, 0x2E]
        XCTAssertThrowsError(try Unpickler.load(bytes: bytes, name: "evil.pkl")) { e in
            let pe = e as! PickleError
            XCTAssertEqual(pe.reason, .refusedGlobal("os.system"))
            XCTAssertEqual(pe.offset, 2)
            XCTAssertEqual(pe.path, "evil.pkl")
            XCTAssertTrue(pe.description.contains("os.system"))
        }
    }

    func testHostileInputsGiveTypedErrors() {
        func reason(_ b: [UInt8]) -> PickleError.Reason? {
            do { _ = try Unpickler.load(bytes: b); return nil } catch { return (error as? PickleError)?.reason }
        }
        XCTAssertEqual(reason([0x80, 0x02, 0x4B]), .truncated(needed: 1))                 // BININT1 without byte
        XCTAssertEqual(reason([0x80, 0x02, 0xFF]), .unknownOpcode(0xFF))
        XCTAssertEqual(reason([0x80, 0x02, 0x68, 0x05, 0x2E]), .missingMemo(5))            // BINGET 5
        if case .tooLarge = reason([0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0x7F]) {} else { XCTFail("huge BINUNICODE") }
        XCTAssertEqual(reason([0x80, 0x02, 0x2E]), .stackUnderflow("STOP"))
        // 10,000 nested lists: ]( ... then appends
        var deep: [UInt8] = [0x80, 0x02]
        for _ in 0..<300 { deep.append(0x5D) }
        for _ in 0..<299 { deep.append(0x61) }
        deep.append(0x2E)
        XCTAssertEqual(reason(deep), .tooDeep(200))
        // A list appended into itself (recursive structure) is refused, not looped over.
        XCTAssertNotNil(reason([0x80, 0x02, 0x5D, 0x71, 0x00, 0x5D, 0x68, 0x00, 0x61, 0x61, 0x2E]))
    }

    /// Found by libFuzzer: an opcode popping values below the innermost MARK (CPython keeps
    /// them in an outer frame) must be a stack underflow, not an out-of-range slice.
    func testCannotPopAcrossAMark() {
        XCTAssertThrowsError(try Unpickler.load(bytes: [0x80, 0x02, 0x4B, 0x01, 0x28, 0x85, 0x2E])) {
            XCTAssertEqual(($0 as? PickleError)?.reason, .stackUnderflow("TUPLE1"))
        }
        XCTAssertThrowsError(try Unpickler.load(bytes: [0x80, 0x02, 0x7D, 0x28, 0x4B, 0x01, 0x28, 0x4B, 0x02, 0x75, 0x2E]))
    }

    /// "Billion laughs": each list holds the previous one ten times (shared references), so the
    /// logical tree explodes; it is refused instead of hanging every walker.
    func testExponentialSharingIsRefused() {
        var w = PickleWriter()
        w.emptyList(); w.int(1); w.append()
        w.memoPut(0)
        for i in 1...40 {
            w.emptyList(); w.mark()
            for _ in 0..<10 { w.memoGet(UInt32(i - 1)) }
            w.appends(); w.memoPut(UInt32(i))
            w.pop()
        }
        w.memoGet(40)
        w.stop()
        XCTAssertThrowsError(try Unpickler.load(bytes: w.bytes)) { e in
            guard case .tooLarge = (e as? PickleError)?.reason else { return XCTFail("\(e)") }
        }
    }

    func testStreamingHookDropsItemsAndReleasesMemo() throws {
        let v = try Unpickler.load(path: PickleFixtures.path("plain_p2.pkl"))
        XCTAssertNotNil(v["dict"].dict)
        // Drop every list-valued item: they must not appear, and the memo must hold no live list.
        let u = try Unpickler(path: PickleFixtures.path("plain_p2.pkl"))
        var taken: [String] = []
        u.dictItemHandler = { item in
            if case .list = item.value { taken.append(item.key.string ?? "?"); return .drop }
            if item.key.string == "str" { return .replace(.int(7)) }
            return .keep
        }
        let w = try u.load()
        XCTAssertEqual(taken, ["ints", "floats"])
        XCTAssertFalse(w.contains("ints"))
        XCTAssertEqual(w["str"].int, 7)
        XCTAssertEqual(w["dict"][1].bool, true)
    }

    func testConsumedMemoSlotIsAClearError() throws {
        // {'a': L, 'b': L} where L is memoised once and fetched again.
        let bytes: [UInt8] = [0x80, 0x02, 0x7D, 0x28, 0x58, 1, 0, 0, 0, 0x61, 0x5D, 0x71, 0x01, 0x58, 1, 0, 0, 0, 0x62, 0x68, 0x01, 0x75, 0x2E]
        XCTAssertNotNil(try Unpickler.load(bytes: bytes)["b"].list)
        let u = Unpickler(bytes: bytes)
        u.dictItemHandler = { $0.key.string == "a" ? .drop : .keep }
        // SETITEMS hands over items one by one; 'b' re-uses the consumed list's slot only after 'a' was dropped,
        // but GET happened before SETITEMS, so this pickle still loads:
        XCTAssertNoThrow(try u.load())
        // A GET after the drop is an error naming the slot.
        let later: [UInt8] = [0x80, 0x02, 0x7D, 0x58, 1, 0, 0, 0, 0x61, 0x5D, 0x71, 0x01, 0x73, 0x58, 1, 0, 0, 0, 0x62, 0x68, 0x01, 0x73, 0x2E]
        let u2 = Unpickler(bytes: later)
        u2.dictItemHandler = { $0.key.string == "a" ? .drop : .keep }
        XCTAssertThrowsError(try u2.load()) { XCTAssertEqual(($0 as? PickleError)?.reason, .consumedMemo(1)) }
    }

    func testInternsShortStringsInTheMemo() throws {
        var w = PickleWriter()
        w.emptyList()
        w.mark()
        for i in 0..<5000 {
            w.string("x-valid@\(i % 200)")
            w.memoPut(UInt32(i))
        }
        w.appends()
        w.stop()
        let u = Unpickler(bytes: w.bytes)
        let v = try u.load()
        XCTAssertEqual(v.list?.count, 5000)
        XCTAssertEqual(u.memoStats.slots, 5000)
        XCTAssertEqual(u.memoStats.internedStrings, 200)
    }

    /// A NATS-style stream (one huge dict whose items the streaming hook converts and drops):
    /// 10^5 items, each a memoised dict holding a memoised list, memoised bytes and two small
    /// memoised flat tuples (as numpy scalars and dtypes are pickled). What the unpickler keeps
    /// alive must not grow with the number of items: no cached tuples, no live memo objects but
    /// the top dict (the slots themselves stay, 4 bytes each).
    func testDroppedItemsKeepNoTuplesOrObjectsAlive() throws {
        let items = 100_000
        var w = PickleWriter()
        var slot: UInt32 = 0
        func memo() { w.memoPut(slot); slot += 1 }
        w.emptyDict(); memo()
        for i in 0..<items {
            w.mark()
            w.int(i)
            w.emptyDict(); memo()
            w.mark()
            w.string("acc"); w.emptyList(); memo()
            w.mark(); for e in 0..<3 { w.float(Double(i * 3 + e)) }; w.appends()
            w.string("scalar"); w.mark(); w.string("f8"); w.bool(false); w.bool(true); w.tupleFromMark(); memo()
            w.string("pair"); w.mark(); w.int(i); w.bytesValue([1, 2, 3, 4, 5, 6, 7, 8]); memo(); w.tupleFromMark(); memo()
            w.setitems()   // into the item's dict
            w.setitems()   // the item into the top dict: offered to the hook
        }
        w.stop()
        let u = Unpickler(bytes: w.bytes)
        var seen = 0, maxCached = 0
        u.dictItemHandler = { item in
            guard item.key.int != nil else { return .keep }
            XCTAssertEqual(item.value["pair"][1].bytes?.count, 8)
            seen += 1
            maxCached = max(maxCached, u.cachedTupleCount)
            return .drop
        }
        let v = try u.load()
        XCTAssertEqual(seen, items)
        XCTAssertEqual(v.dict?.count, 0)
        XCTAssertEqual(maxCached, 0)
        XCTAssertEqual(u.memoStats.slots, 1 + 5 * items)
        XCTAssertEqual(u.memoStats.liveObjects, 1)
        // Tuples that hold tuples are still cached (so shared nested tuples cost O(1) each).
        var n = PickleWriter()
        n.mark(); n.int(1); n.tupleFromMark(); n.memoPut(0); n.pop()
        n.mark(); n.memoGet(0); n.memoGet(0); n.tupleFromMark()
        n.stop()
        let u2 = Unpickler(bytes: n.bytes)
        XCTAssertEqual(try u2.load()[1][0].int, 1)
    }

    func testLatin1RoundTripsEveryByte() {
        let all = (0...255).map(UInt8.init)
        let s = String(latin1: all)
        XCTAssertEqual(s.unicodeScalars.map(\.value), (0...255).map(UInt32.init))
        XCTAssertEqual(s.latin1Bytes(), all)
        XCTAssertNil("\u{100}".latin1Bytes())
    }

    func testWriterRoundTrip() throws {
        let arr = NDArray(Tensor(shape: [2, 3], scalars: [Float](arrayLiteral: 1, 2, 3, 4, 5, 6)))
        let value = PickleValue.makeDict([
            ("data", .ndarray(arr)), ("labels", .makeList([1, 2, 3])), ("name", "b\u{e9}"), ("raw", .bytes([0, 255])),
            ("none", nil), ("pi", 3.25), ("neg", -70000), ("t", .tuple([1, "x"])),
        ])
        var w = PickleWriter()
        try w.dump(value)
        let back = try Unpickler.load(bytes: w.bytes)
        XCTAssertEqual(try back["data"].ndarray?.tensor(), try arr.tensor())
        XCTAssertEqual(back["labels"].list?.compactMap(\.int), [1, 2, 3])
        XCTAssertEqual(back["name"].string, "b\u{e9}")
        XCTAssertEqual(back["raw"].bytes, [0, 255])
        XCTAssertTrue(back["none"].isNone && back.contains("none"))
        XCTAssertEqual(back["pi"].double, 3.25)
        XCTAssertEqual(back["neg"].int, -70000)
        XCTAssertEqual(back["t"][1].string, "x")
    }
}
