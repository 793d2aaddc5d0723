import XCTest
@testable import NASDatasets

/// BoxResize against Pillow 13's `Image.resize(size, Image.BOX)` (references made by
/// Tools/fixtures/make_imagenet_fixtures.py; the inputs come from the same formula here).
final class ImageNet16BoxResizeTests: XCTestCase {
    /// The synthetic inputs: keep in step with `pattern` in the fixture script.
    static func pattern(_ kind: String, _ w: Int, _ h: Int, _ seed: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: w * h * 3)
        var i = 0
        for y in 0..<h {
            for x in 0..<w {
                for c in 0..<3 {
                    switch kind {
                    case "noise":
                        var v = (UInt32(truncatingIfNeeded: x &* 73856093) ^ UInt32(truncatingIfNeeded: y &* 19349663)
                                 ^ UInt32(truncatingIfNeeded: c &* 83492791) ^ UInt32(truncatingIfNeeded: seed &* 2654435761))
                        v = v &* 2246822519
                        v ^= v >> 15
                        out[i] = UInt8(v & 0xFF)
                    case "gradient":
                        out[i] = UInt8((x * 255 / max(w - 1, 1) + y * 3 + c * 85 + seed) % 256)
                    default:
                        out[i] = UInt8((255 - c * 120 + seed) % 256)
                    }
                    i += 1
                }
            }
        }
        return out
    }

    func testMatchesPillowBitForBit() throws {
        let fixture = try ImageNet16Fixtures.json("box-resize.json")
        let cases = fixture["cases"] as! [[String: Any]]
        XCTAssertGreaterThan(cases.count, 100)
        var mismatches: [String] = []
        for c in cases {
            let inSize = c["in"] as! [Int], outSize = c["out"] as! [Int]
            let input = Self.pattern(c["pattern"] as! String, inSize[0], inSize[1], c["seed"] as! Int)
            let expected = ImageNet16Fixtures.bytes(hex: c["rgb"] as! String)
            let got = BoxResize(from: (inSize[0], inSize[1]), to: (outSize[0], outSize[1])).resizeRGB(input)
            if got != expected {
                let diff = zip(got, expected).filter { $0 != $1 }.count
                mismatches.append("\(inSize) -> \(outSize) \(c["pattern"]!): \(diff) bytes differ")
            }
        }
        XCTAssertEqual(mismatches, [], "Pillow BOX mismatches")
    }

    func testSameSizeIsACopy() {
        let input = Self.pattern("noise", 16, 16, 3)
        XCTAssertEqual(BoxResize(from: (16, 16), to: (16, 16)).resizeRGB(input), input)
    }

    func testConstantImageStaysConstant() {
        // Rounding the fixed-point weights up can make them sum past 1.0: the clip must hold 255.
        let input = [UInt8](repeating: 255, count: 333 * 500 * 3)
        XCTAssertEqual(BoxResize(from: (333, 500), to: (16, 16)).resizeRGB(input), [UInt8](repeating: 255, count: 768))
    }
}

extension ImageNet16BoxResizeTests {
    func testPassOrderRule() {
        // Pillow 13 runs the vertical pass first only when the height loses more than twice
        // as many pixels as the width; a typical ImageNet photo stays horizontal-first.
        XCTAssertFalse(BoxResize(from: (500, 375), to: (16, 16)).verticalFirst)
        XCTAssertFalse(BoxResize(from: (375, 500), to: (16, 16)).verticalFirst)
        XCTAssertTrue(BoxResize(from: (100, 500), to: (16, 16)).verticalFirst)
        XCTAssertFalse(BoxResize(from: (100, 500), to: (16, 16), passOrder: .horizontalFirst).verticalFirst)
        // And the order matters for the bytes: this case differs between the two orders.
        let input = Self.pattern("noise", 7, 100, 5)
        let a = BoxResize(from: (7, 100), to: (3, 9)).resizeRGB(input)
        let b = BoxResize(from: (7, 100), to: (3, 9), passOrder: .horizontalFirst).resizeRGB(input)
        XCTAssertNotEqual(a, b)
    }
}
