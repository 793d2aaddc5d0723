/// Field decoding of one 512-byte tar header block (POSIX ustar, GNU and old v7).
///
/// Layout: name[0,100) mode[100,108) uid gid size[124,136) mtime[136,148)
/// chksum[148,156) typeflag[156] linkname[157,257) magic[257,263) version[263,265)
/// uname gname devmajor devminor prefix[345,500) (ustar only).
struct TarHeader {
    let block: [UInt8]

    static let size = 512

    var isZeroBlock: Bool { block.allSatisfy { $0 == 0 } }

    /// The stored checksum matches the block's byte sum with the checksum field read
    /// as spaces (unsigned, or signed as some old tars computed it).
    func checksumProblem() -> String? {
        guard let stored = number(148, 8) else { return "unreadable header checksum field" }
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for (i, b) in block.enumerated() {
            let v: UInt8 = (148..<156).contains(i) ? 0x20 : b
            unsigned += Int64(v)
            signed += Int64(Int8(bitPattern: v))
        }
        if stored == unsigned || stored == signed { return nil }
        return "header checksum mismatch (stored \(stored), computed \(unsigned)): not a tar header, or corrupt"
    }

    var typeFlag: UInt8 { block[156] }
    var isUstar: Bool { Array(block[257..<263]) == Array("ustar\u{0}".utf8) }

    /// `prefix/name` for POSIX ustar headers, `name` otherwise.
    var path: String {
        let name = string(0, 100)
        guard isUstar else { return name }
        let prefix = string(345, 155)
        return prefix.isEmpty ? name : prefix + "/" + name
    }
    var linkName: String { string(157, 100) }
    var mode: Int64? { number(100, 8) }
    var sizeField: Int64? { number(124, 12) }
    var mtime: Int64? { number(136, 12) }

    /// A NUL-terminated field as UTF-8 (invalid bytes replaced).
    func string(_ start: Int, _ length: Int) -> String {
        let field = block[start..<start + length]
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: block[start..<end], as: UTF8.self)
    }

    /// An octal ASCII number padded with spaces/NULs, or GNU base-256 (high bit of
    /// the first byte set) for values too large for octal, like sizes over 8 GiB.
    func number(_ start: Int, _ length: Int) -> Int64? {
        let field = block[start..<start + length]
        if let first = field.first, first & 0x80 != 0 {
            guard first & 0x40 == 0 else { return nil } // negative: never valid here
            var value: Int64 = Int64(first & 0x3f)
            for b in field.dropFirst() {
                guard value < (Int64.max >> 8) else { return nil }
                value = value << 8 | Int64(b)
            }
            return value
        }
        var value: Int64 = 0
        var seenDigit = false
        for b in field {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard value < (Int64.max >> 3) else { return nil }
                value = value << 3 | Int64(b - UInt8(ascii: "0"))
                seenDigit = true
            case UInt8(ascii: " ") where !seenDigit:
                continue
            case 0, UInt8(ascii: " "):
                return value
            default:
                return nil
            }
        }
        return value
    }
}
