import Foundation
import Checksums

/// A checksum manifest: the lines `sha256sum`/`md5sum` print and `-c` reads
/// (`<hex>  <path>`, or `<hex> *<path>` in binary mode, or BSD-style
/// `SHA256 (<path>) = <hex>`), plus nasdata's size comments.
///
/// Sizes ride along as comment lines `# size <bytes> <path>`, which GNU
/// `sha256sum -c` / `md5sum -c` skip, so the file stays tool-compatible while
/// `nasdata verify --manifest` can report a truncated file before hashing it.
/// Paths are relative to the manifest's root directory (the one `nasdata
/// manifest DIR` was given); `cd DIR && sha256sum -c FILE` checks it too.
public struct Manifest: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var path: String
        public var algorithm: HashAlgorithm
        public var digest: String
        public var size: Int64?
        /// 1-based line number in the manifest file (0 when built in memory).
        public var line: Int

        public init(path: String, algorithm: HashAlgorithm, digest: String, size: Int64?, line: Int = 0) {
            self.path = path
            self.algorithm = algorithm
            self.digest = digest.lowercased()
            self.size = size
            self.line = line
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    public static let header = "# nasdata manifest v1: sha256sum-compatible; \"# size BYTES PATH\" comments give sizes"

    /// The text `nasdata manifest` writes: header, then per file a size comment and
    /// the checksum line, in the order given.
    public func render() -> String {
        var out = Manifest.header + "\n"
        for e in entries {
            let (escaped, name) = Manifest.escape(e.path)
            if let size = e.size { out += "# size \(size) \(escaped ? "\\" : "")\(name)\n" }
            out += "\(escaped ? "\\" : "")\(e.digest)  \(name)\n"
        }
        return out
    }

    /// Parses manifest text. Errors name the line.
    public static func parse(_ text: String, file: String = "<manifest>") throws -> Manifest {
        var entries = [Entry]()
        var sizes = [String: Int64]()
        var lineNumber = 0
        // Split on the byte 0x0A: as Characters, "\r\n" is one grapheme and would not split.
        for raw in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var bytes = raw
            if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
            let line = Substring(String(decoding: bytes, as: UTF8.self))
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            if line.hasPrefix("#") {
                if let (size, path) = parseSizeComment(line) { sizes[path] = size }
                continue
            }
            guard let entry = parseChecksumLine(line, lineNumber: lineNumber) else {
                throw ManifestError.malformedLine(file: file, line: lineNumber, text: String(line.prefix(120)))
            }
            entries.append(entry)
        }
        for i in entries.indices { entries[i].size = sizes[entries[i].path] }
        return Manifest(entries: entries)
    }

    // MARK: line formats

    private static func parseSizeComment(_ line: Substring) -> (Int64, String)? {
        let rest = line.dropFirst().drop { $0 == " " }
        guard rest.hasPrefix("size ") else { return nil }
        let afterKey = rest.dropFirst(5)
        guard let space = afterKey.firstIndex(of: " "), let size = Int64(afterKey[..<space]), size >= 0 else { return nil }
        var name = afterKey[afterKey.index(after: space)...]
        if name.hasPrefix("\\") {
            name = name.dropFirst()
            guard let u = unescape(name) else { return nil }
            return (size, u)
        }
        return (size, String(name))
    }

    private static func parseChecksumLine(_ line: Substring, lineNumber: Int) -> Entry? {
        var line = line
        let escaped = line.hasPrefix("\\")
        if escaped { line = line.dropFirst() }
        // BSD tag style: "SHA256 (path) = hex" / "MD5 (path) = hex"
        for (tag, alg) in [("SHA256 (", HashAlgorithm.sha256), ("MD5 (", HashAlgorithm.md5)] where line.hasPrefix(tag) {
            guard let eq = line.range(of: ") = ", options: .backwards) else { return nil }
            let hex = line[eq.upperBound...]
            var name = String(line[line.index(line.startIndex, offsetBy: tag.count)..<eq.lowerBound])
            if escaped { guard let u = unescape(Substring(name)) else { return nil }; name = u }
            guard hex.count == alg.hexLength, Digest(hex: hex) != nil else { return nil }
            return Entry(path: name, algorithm: alg, digest: String(hex), size: nil, line: lineNumber)
        }
        // GNU style: "<hex>  <path>" (text) or "<hex> *<path>" (binary)
        guard let space = line.firstIndex(of: " ") else { return nil }
        let hex = line[..<space]
        guard let alg = HashAlgorithm.allCases.first(where: { $0.hexLength == hex.count }), Digest(hex: hex) != nil else {
            return nil
        }
        let afterSpace = line.index(after: space)
        guard afterSpace < line.endIndex, line[afterSpace] == " " || line[afterSpace] == "*" else { return nil }
        var name = String(line[line.index(after: afterSpace)...])
        guard !name.isEmpty else { return nil }
        if escaped { guard let u = unescape(Substring(name)) else { return nil }; name = u }
        return Entry(path: name, algorithm: alg, digest: String(hex), size: nil, line: lineNumber)
    }

    /// GNU coreutils escaping: a name containing `\` or a newline is written with
    /// `\\` and `\n`, and the whole line is prefixed with `\`.
    static func escape(_ name: String) -> (Bool, String) {
        guard name.contains("\\") || name.contains("\n") || name.contains("\r") else { return (false, name) }
        var out = ""
        for c in name {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.append(c)
            }
        }
        return (true, out)
    }

    static func unescape(_ s: Substring) -> String? {
        var out = ""
        var it = s.makeIterator()
        while let c = it.next() {
            guard c == "\\" else { out.append(c); continue }
            switch it.next() {
            case "\\": out += "\\"
            case "n": out += "\n"
            case "r": out += "\r"
            default: return nil
            }
        }
        return out
    }
}

public enum ManifestError: Error, CustomStringConvertible, Equatable {
    case malformedLine(file: String, line: Int, text: String)
    case empty(file: String)

    public var description: String {
        switch self {
        case let .malformedLine(file, line, text):
            return "\(file):\(line): not a checksum line (expected \"<md5 or sha256 hex>  <path>\"): \(text)"
        case let .empty(file):
            return "\(file): no checksum lines"
        }
    }
}
