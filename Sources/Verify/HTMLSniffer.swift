#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Recognises an HTML page saved under a data file's name: the typical failed
/// Google Drive download (quota exceeded, "can't scan for viruses" confirmation)
/// or an error page from a mirror. Only the first few KB are read.
public enum HTMLSniffer {
    public static let sniffLength = 8192

    public struct Page: Sendable, Equatable {
        /// The page's `<title>`, if any (e.g. "Google Drive - Virus scan warning").
        public let title: String?
        /// True if the text looks like a Google Drive interstitial.
        public let isGoogleDrive: Bool

        public var description: String {
            var s = "an HTML page, not data"
            if isGoogleDrive { s += " (Google Drive quota or virus-scan page: the download failed)" }
            if let title { s += ", title \"\(title)\"" }
            return s
        }
    }

    /// Reads the head of `path`; nil if it is not HTML or cannot be read.
    public static func sniff(path: String) -> Page? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: sniffLength)
        var n = 0
        while n < buf.count {
            let r = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress! + n, $0.count - n) }
            if r < 0 && errno == EINTR { continue }
            if r <= 0 { break }
            n += r
        }
        return sniff(bytes: buf[0..<n])
    }

    /// Looks for `<!DOCTYPE html` or `<html` at the start (after a UTF-8 BOM and
    /// whitespace), or anywhere in the head if it is plain text: a pickle, tarball,
    /// gzip, zip or HDF5 file starts with binary magic and never matches.
    public static func sniff(bytes: ArraySlice<UInt8>) -> Page? {
        var head = Array(bytes)
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { head.removeFirst(3) }
        let start = head.firstIndex { !isSpace($0) } ?? head.count
        let lower = head[start...].map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 + 32 : $0 }
        let text = String(decoding: lower, as: UTF8.self)
        let atStart = text.hasPrefix("<!doctype html") || text.hasPrefix("<html")
            || (text.hasPrefix("<!--") && text.contains("<html"))
        let printable = lower.prefix(512).allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || $0 >= 32 }
        guard atStart || (printable && text.hasPrefix("<") && text.contains("<html")) else { return nil }
        let original = String(decoding: head[start...], as: UTF8.self)
        return Page(title: title(in: original), isGoogleDrive: text.contains("google drive")
                    || text.contains("drive.google.com") || text.contains("drive.usercontent.google.com"))
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 }

    private static func title(in html: String) -> String? {
        guard let open = html.range(of: "<title", options: .caseInsensitive),
              let gt = html[open.upperBound...].firstIndex(of: ">"),
              let close = html[gt...].range(of: "</title>", options: .caseInsensitive) else { return nil }
        let t = html[html.index(after: gt)..<close.lowerBound]
            .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        return t.isEmpty ? nil : String(t.prefix(120))
    }
}
