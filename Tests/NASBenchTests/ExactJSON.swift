import Foundation

/// A small JSON reader whose numbers are exact: Foundation's `JSONSerialization` on Linux
/// can be off by an ulp, which would hide (or fake) bit-exactness failures. Integers become
/// `Int`, other numbers `Double` (parsed by Swift's correctly rounded `Double(String)`),
/// null `NSNull`, objects `[String: Any]`, arrays `[Any]`.
enum ExactJSON {
    struct Failure: Error { let offset: Int; let reason: String }

    static func parse(_ data: Data) throws -> Any {
        let bytes = [UInt8](data)
        var i = 0
        let value = try parseValue(bytes, &i)
        skipSpace(bytes, &i)
        guard i == bytes.count else { throw Failure(offset: i, reason: "trailing characters") }
        return value
    }

    private static func skipSpace(_ b: [UInt8], _ i: inout Int) {
        while i < b.count, [0x20, 0x0A, 0x0D, 0x09].contains(b[i]) { i += 1 }
    }

    private static func parseValue(_ b: [UInt8], _ i: inout Int) throws -> Any {
        skipSpace(b, &i)
        guard i < b.count else { throw Failure(offset: i, reason: "unexpected end") }
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            var object: [String: Any] = [:]
            skipSpace(b, &i)
            if b[i] == UInt8(ascii: "}") { i += 1; return object }
            while true {
                skipSpace(b, &i)
                let key = try parseString(b, &i)
                skipSpace(b, &i)
                guard b[i] == UInt8(ascii: ":") else { throw Failure(offset: i, reason: "expected ':'") }
                i += 1
                object[key] = try parseValue(b, &i)
                skipSpace(b, &i)
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                guard b[i] == UInt8(ascii: "}") else { throw Failure(offset: i, reason: "expected '}'") }
                i += 1
                return object
            }
        case UInt8(ascii: "["):
            i += 1
            var array: [Any] = []
            skipSpace(b, &i)
            if b[i] == UInt8(ascii: "]") { i += 1; return array }
            while true {
                array.append(try parseValue(b, &i))
                skipSpace(b, &i)
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                guard b[i] == UInt8(ascii: "]") else { throw Failure(offset: i, reason: "expected ']'") }
                i += 1
                return array
            }
        case UInt8(ascii: "\""):
            return try parseString(b, &i)
        case UInt8(ascii: "t"): i += 4; return true
        case UInt8(ascii: "f"): i += 5; return false
        case UInt8(ascii: "n"): i += 4; return NSNull()
        default:
            let start = i
            while i < b.count, "+-0123456789.eE".utf8.contains(b[i]) { i += 1 }
            let text = String(decoding: b[start..<i], as: UTF8.self)
            if let n = Int(text) { return n }
            guard let d = Double(text) else { throw Failure(offset: start, reason: "bad number \(text)") }
            return d
        }
    }

    private static func parseString(_ b: [UInt8], _ i: inout Int) throws -> String {
        guard b[i] == UInt8(ascii: "\"") else { throw Failure(offset: i, reason: "expected a string") }
        i += 1
        var out = [UInt8]()
        while b[i] != UInt8(ascii: "\"") {
            if b[i] == UInt8(ascii: "\\") {
                i += 1
                switch b[i] {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    let hex = String(decoding: b[(i + 1)...(i + 4)], as: UTF8.self)
                    let scalar = Unicode.Scalar(UInt32(hex, radix: 16)!) ?? "?"
                    out += Array(String(Character(scalar)).utf8)
                    i += 4
                default: out.append(b[i])
                }
                i += 1
            } else {
                out.append(b[i]); i += 1
            }
        }
        i += 1
        return String(decoding: out, as: UTF8.self)
    }
}
