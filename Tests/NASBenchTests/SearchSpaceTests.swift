import Foundation
import XCTest

@testable import NASBench
import NASCore

final class SearchSpaceTests: XCTestCase {
    func testReferenceIndices() {
        let space = SearchSpace.canonical
        XCTAssertEqual(space.architecture(at: 0)?.description,
                       "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|")
        XCTAssertEqual(space.architecture(at: 1)?.description,
                       "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")
        XCTAssertEqual(space.architecture(at: 15624)?.description,
                       "|nor_conv_1x1~0|+|none~0|nor_conv_1x1~1|+|none~0|nor_conv_1x1~1|nor_conv_1x1~2|")
        XCTAssertNil(space.architecture(at: 15625))
        XCTAssertNil(space.architecture(at: -1))
    }

    func testListingSHA256MatchesReference() throws {
        let listing = SearchSpace.canonical.listing()
        XCTAssertEqual(sha256Hex(Array(listing.utf8)), "b24e2a8b6802be1326de041d81d564998ca8aa923055352f3a95c30d59ce7048")
    }

    func testLookupsBothWays() throws {
        let space = SearchSpace.canonical
        for index in [0, 1, 2, 777, 15624] {
            let arch = space.architecture(at: index)!
            XCTAssertEqual(space.index(of: arch), index)
            XCTAssertEqual(space.index(of: arch.description), index)
        }
        XCTAssertEqual(Set(space.architectures).count, SearchSpace.count)
        XCTAssertNil(space.index(of: "|nor_conv_3x3~0|"))
        XCTAssertNil(space.index(of: "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2| "))
    }

    func testPythonRandomMatchesCPython() {
        // Values printed by CPython 3: random.seed(88); [random.getrandbits(32) for _ in range(3)], random.random()
        var r = PythonRandom(seed: 88)
        XCTAssertEqual([r.getrandbits(32), r.getrandbits(32), r.getrandbits(32)], PythonRandomExpectations.seed88Bits)
        XCTAssertEqual(r.random(), PythonRandomExpectations.seed88RandomAfter3)
        // A big seed uses several key words; getrandbits above 32 bits.
        var big = PythonRandom(seed: 1 << 40 | 12345)
        XCTAssertEqual(big.getrandbits(48), PythonRandomExpectations.bigSeedBits48)
    }

    /// `random.seed(1021); idx = list(range(50000)); random.shuffle(idx)`: sorted halves are cifar-split.txt.
    func testRegeneratesCifarSplit() throws {
        let url = FixturePaths.splits.appendingPathComponent("cifar-split.txt")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("shared split files not found at \(url.path)")
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: [Any]]
        let train = (json["train"]![1] as! [String]).map { Int($0)! }
        let valid = (json["valid"]![1] as! [String]).map { Int($0)! }
        var indices = Array(0..<50_000)
        var random = PythonRandom(seed: 1021)
        random.shuffle(&indices)
        XCTAssertEqual(indices[..<25_000].sorted(), train)
        XCTAssertEqual(indices[25_000...].sorted(), valid)
    }
}
