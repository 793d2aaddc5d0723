import FixtureSupport
import XCTest
@testable import NASDatasets

/// The uniform-box sums (`w * sum(pixels)`) against the general weighted sums (`sum(w * pixel)`):
/// the fast path must give the same bytes for every size change, both pass orders.
final class ImageNet16BoxResizeFastPathTests: XCTestCase {
    private func assertSame(_ w: Int, _ h: Int, _ ow: Int, _ oh: Int, _ input: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        for order in BoxResize.PassOrder.allCases {
            let fast = BoxResize(from: (w, h), to: (ow, oh), passOrder: order, uniformFastPath: true)
            let general = BoxResize(from: (w, h), to: (ow, oh), passOrder: order, uniformFastPath: false)
            XCTAssertEqual(fast.resizeRGB(input), general.resizeRGB(input), "\(w)x\(h) -> \(ow)x\(oh) \(order)", file: file, line: line)
        }
    }

    private func randomImage(_ w: Int, _ h: Int, _ random: inout SplitMix64) -> [UInt8] {
        let kind = random.below(3)
        return (0..<(w * h * 3)).map { i in
            switch kind {
            case 0: return UInt8(truncatingIfNeeded: random.next())
            case 1: return 255  // saturates: the rounded-up weights sum past 1.0
            default: return UInt8((i / 3 % 7) * 40 + i % 3)
            }
        }
    }

    func testFastPathEqualsGeneralPathOnRandomSizes() {
        var random = SplitMix64(state: 2026)
        func side(_ r: inout SplitMix64) -> Int {
            [1, r.below(8) + 1, r.below(64) + 1, r.below(600) + 1][r.below(4)]
        }
        for _ in 0..<400 {
            let w = side(&random), h = side(&random)
            // Downscales to 16, arbitrary sizes, and upscales (output larger than input).
            let ow = [16, 1, random.below(40) + 1, random.below(200) + 1][random.below(4)]
            let oh = [16, 1, random.below(40) + 1, random.below(200) + 1][random.below(4)]
            assertSame(w, h, ow, oh, randomImage(w, h, &random))
        }
    }

    func testFastPathEqualsGeneralPathOnExtremeRatios() {
        var random = SplitMix64(state: 7)
        for (w, h, ow, oh) in [(1, 5000, 16, 16), (5000, 1, 16, 16), (5000, 2, 1, 1), (2, 3000, 1, 7), (3, 3, 300, 200),
                               (1, 1, 16, 16), (500, 375, 16, 16), (375, 500, 16, 16), (100, 500, 16, 16), (17, 16, 16, 16)] {
            assertSame(w, h, ow, oh, randomImage(w, h, &random))
        }
        // Long runs of 255: the 16-bit SIMD lanes must be folded before they wrap (256 groups of 4 pixels).
        for (w, ow) in [(1023, 1), (1024, 1), (1025, 1), (1030, 1), (6000, 1), (6000, 5)] {
            assertSame(w, 1, ow, 1, [UInt8](repeating: 255, count: w * 3))
            XCTAssertEqual(BoxResize(from: (w, 1), to: (ow, 1)).resizeRGB([UInt8](repeating: 255, count: w * 3)),
                           [UInt8](repeating: 255, count: ow * 3), "\(w) -> \(ow)")
        }
    }

    func testBoxKernelsTakeTheFastPath() {
        // Every BOX kernel is uniform; were one not, the general path would still be right,
        // but the speed would silently go. Check the sizes ImageNet has plenty of.
        for n in [1, 2, 15, 16, 17, 100, 333, 375, 500, 1024, 4000] {
            for m in [1, 16, 32, 64, 500] {
                XCTAssertNotNil(BoxResize.Kernel(inputSize: n, outputSize: m).runs, "\(n) -> \(m)")
            }
        }
    }

    func testScratchIsReusedAcrossSizes() {
        // One scratch array for images of different sizes (as a worker does) gives the same bytes.
        var random = SplitMix64(state: 11)
        var scratch: [UInt8] = []
        for (w, h) in [(500, 375), (20, 20), (375, 500), (100, 500), (640, 480)] {
            let input = randomImage(w, h, &random)
            let box = BoxResize(from: (w, h), to: (16, 16))
            var out = [UInt8](repeating: 0, count: 768)
            input.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { o in box.resizeRGB(i, into: o, scratch: &scratch) } }
            XCTAssertEqual(out, box.resizeRGB(input), "\(w)x\(h)")
        }
    }
}
