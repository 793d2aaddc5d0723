import XCTest
@testable import NASDatasets
@testable import ImageCodecs

/// Decoding + BOX resize of the miniature ILSVRC tree against Pillow's
/// `open -> convert("RGB") -> resize((16, 16), BOX)` (expected.json, made by the fixture script).
final class ImageNet16DecoderTests: XCTestCase {
    func load(_ relative: String) throws -> [UInt8] {
        let url = ImageNet16Fixtures.directory.appendingPathComponent("ilsvrc").appendingPathComponent(relative)
        return [UInt8](try Data(contentsOf: url))
    }

    func testEveryImageMatchesPillow() throws {
        let expected = try ImageNet16Fixtures.json("ilsvrc/expected.json")
        let entries = (expected["train"] as! [[String: Any]]) + (expected["val"] as! [[String: Any]])
        XCTAssertGreaterThan(entries.count, 20)
        let decoder = ImageDecoder()
        var mismatches: [String] = []
        for e in entries {
            let path = e["path"] as! String
            let image = try decoder.decode(try load(path), path: path)
            let got = BoxResize(from: (image.width, image.height), to: (16, 16)).resizeRGB(image.pixels)
            if got != ImageNet16Fixtures.bytes(hex: e["rgb16"] as! String) { mismatches.append(path) }
        }
        XCTAssertEqual(mismatches, [])
    }

    func testGreyscaleCMYKAndPNGUnderJPEGName() throws {
        let decoder = ImageDecoder()
        let grey = try decoder.decode(try load("train/n02100735/n02100735_grey.JPEG"), path: "grey")
        XCTAssertEqual(grey.width, 45); XCTAssertEqual(grey.height, 33)
        for i in stride(from: 0, to: grey.pixels.count, by: 3) {
            XCTAssertEqual(grey.pixels[i], grey.pixels[i + 1]); XCTAssertEqual(grey.pixels[i], grey.pixels[i + 2])
        }
        let cmyk = try decoder.decode(try load("train/n02100735/n02100735_cmyk.JPEG"), path: "cmyk")
        XCTAssertEqual(cmyk.width, 40); XCTAssertEqual(cmyk.height, 52)
        let png = try decoder.decode(try load("train/n02100735/n02100735_png.JPEG"), path: "png")
        XCTAssertEqual(png.width, 29); XCTAssertEqual(png.height, 31)
    }

    func testTruncatedJPEGIsReportedByPath() throws {
        let path = "train/n02110185/n02110185_truncated.JPEG"
        XCTAssertThrowsError(try ImageDecoder().decode(try load(path), path: path)) { error in
            guard case let .truncated(p, _) = error as? ImageDecodeError else { return XCTFail("\(error)") }
            XCTAssertEqual(p, path)
        }
    }

    func testJunkAndEmptyInputsAreErrorsNotCrashes() {
        let decoder = ImageDecoder()
        XCTAssertThrowsError(try decoder.decode([], path: "empty")) { XCTAssertEqual($0 as? ImageDecodeError, .unknownFormat(path: "empty")) }
        XCTAssertThrowsError(try decoder.decode([0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 1, 2, 3], path: "junk"))
        XCTAssertThrowsError(try decoder.decode([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0], path: "png-junk"))
    }

    func testCMYKConversionFollowsPillowRounding() {
        // Stored (inverted) C=0, K=255 -> Pillow C'=255, K'=0 -> R = 255 - 255*255/255 = 0.
        XCTAssertEqual(ImageDecoder.cmykToRGB([0, 255, 128, 255]), [0, 255, 128])
        // Stored K=0 means full black ink: all zero whatever C is.
        XCTAssertEqual(ImageDecoder.cmykToRGB([10, 200, 255, 0]), [0, 0, 0])
    }

    func testFastModeScalesInTheDCTDomain() throws {
        let decoder = ImageDecoder()
        decoder.dctScalingMinimumSide = 16
        let image = try decoder.decode(try load("train/n02100735/n02100735_cmyk.JPEG"), path: "cmyk")
        XCTAssertLessThan(image.width, 40)
        XCTAssertGreaterThanOrEqual(min(image.width, image.height), 16)
    }
}
