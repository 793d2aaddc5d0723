import XCTest
@testable import Verify

final class HTMLSnifferTests: XCTestCase {
    func testGoogleDrivePagesAreRecognised() throws {
        let quota = try XCTUnwrap(HTMLSniffer.sniff(path: TestSupport.fixtures + "/gdrive-quota.html"))
        XCTAssertTrue(quota.isGoogleDrive)
        XCTAssertEqual(quota.title, "Google Drive - Quota exceeded")
        let scan = try XCTUnwrap(HTMLSniffer.sniff(path: TestSupport.fixtures + "/gdrive-virus-scan.html"))
        XCTAssertTrue(scan.isGoogleDrive)
        XCTAssertEqual(scan.title, "Google Drive - Virus scan warning")
        XCTAssertTrue(scan.description.contains("Google Drive"))
    }

    func testOtherHTMLAndBOM() {
        let page = Array("\u{FEFF}  <!doctype HTML><html><head><title>404 Not Found</title></head></html>".utf8)
        let r = HTMLSniffer.sniff(bytes: page[...])
        XCTAssertEqual(r?.title, "404 Not Found")
        XCTAssertEqual(r?.isGoogleDrive, false)
    }

    func testDataIsNotHTML() {
        // Legacy torch pickle, gzip, zip, HDF5 heads, JSON split file, and text mentioning <html> later.
        let heads: [[UInt8]] = [
            [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8],
            [0x1f, 0x8b, 0x08, 0x00] + Array("<html>".utf8),
            Array("PK\u{03}\u{04}<html>".utf8),
            [0x89] + Array("HDF\r\n\u{1A}\n".utf8),
            Array("{\n  \"train\"              : [\"int\"   , [\"0\"]]\n}".utf8),
            Array("notes: save the page as <html> later".utf8),
        ]
        for h in heads { XCTAssertNil(HTMLSniffer.sniff(bytes: h[...]), "\(h.prefix(6))") }
    }
}
