import XCTest
@testable import Checksums

final class DigestTests: XCTestCase {
    func testKnownVectors() {
        XCTAssertEqual(MD5.hash([]).hex, "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(MD5.hash(Array("abc".utf8)).hex, "900150983cd24fb0d6963f7d28e17f72")
        XCTAssertEqual(SHA256.hash([]).hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hash(Array("abc".utf8)).hex,
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testIncrementalEqualsOneShotAndHasherIsReusable() {
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let h = SHA256()
        for start in stride(from: 0, to: data.count, by: 777) {
            h.update(Array(data[start..<min(start + 777, data.count)]))
        }
        XCTAssertEqual(h.finalize(), SHA256.hash(data))
        // After finalize the hasher starts over.
        h.update("abc")
        XCTAssertEqual(h.finalize().hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testHexRoundTripAndParsing() {
        let d = MD5.hash(Array("abc".utf8))
        XCTAssertEqual(Digest(hex: d.hex), d)
        XCTAssertEqual(Digest(hex: d.hex.uppercased()), d)
        XCTAssertNil(Digest(hex: "abc"))      // odd length
        XCTAssertNil(Digest(hex: "zz"))       // not hex
        XCTAssertNil(Digest(hex: ""))
        XCTAssertTrue(d.hexHasSuffix("E17F72"))
        XCTAssertFalse(d.hexHasSuffix("e17f73"))
        XCTAssertEqual(HashAlgorithm.md5.hexLength, 32)
        XCTAssertEqual(HashAlgorithm.sha256.hexLength, 64)
    }
}
