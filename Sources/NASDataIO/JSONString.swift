/// JSON string literals, for the hand-written JSON nasdata emits (safetensors headers,
/// archive records, `--json` output), where field order and number formatting must be
/// exact and Foundation's encoder would reorder or reformat.
public enum JSONString {
    /// `s` as a JSON string literal, quotes included: `"`, `\` and control characters
    /// escaped; everything else (including non-ASCII) written as it is, UTF-8.
    public static func quote(_ s: String) -> String {
        var out = ""
        quote(s, into: &out)
        return out
    }

    public static func quote(_ s: String, into out: inout String) {
        out += "\""
        // Most strings (keys, names) need no escape: append them whole.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += s
            out += "\""
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
