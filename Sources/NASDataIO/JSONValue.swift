/// A JSON value for what nasdata writes: `--json` output, and the records stored in
/// archives (run results, problem lists). Written with exact numbers: integers as
/// they are, floats as Swift's shortest round-trip text (`3.0` stays a float for Python).
public indirect enum JSONValue: Equatable, Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case float(Float)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// How NaN and the infinities are written (JSON itself has no spelling for them).
    public enum NonFinite: Sendable {
        /// `NaN`, `Infinity`, `-Infinity`: what Python's `json` module writes and reads
        /// back as floats (used for data kept in archives).
        case pythonLiteral
        /// `"nan"`, `"inf"`, `"-inf"` as strings: valid JSON for strict readers such as jq
        /// (used for command-line `--json` output).
        case string
    }

    /// Command-line form (`NonFinite.string`).
    public var description: String { encoded(nonFinite: .string) }

    public func encoded(nonFinite: NonFinite = .pythonLiteral) -> String {
        var out = ""
        write(into: &out, nonFinite)
        return out
    }

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.encoded() == b.encoded() }

    private func write(into out: inout String, _ nonFinite: NonFinite) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): Self.number(d, d.isFinite ? "\(d)" : nil, into: &out, nonFinite)
        case .float(let f): Self.number(Double(f), f.isFinite ? "\(f)" : nil, into: &out, nonFinite)
        case .string(let s): JSONString.quote(s, into: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                item.write(into: &out, nonFinite)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (key, item)) in members.enumerated() {
                if i > 0 { out += ", " }
                JSONString.quote(key, into: &out)
                out += ": "
                item.write(into: &out, nonFinite)
            }
            out += "}"
        }
    }

    private static func number(_ d: Double, _ finiteText: String?, into out: inout String, _ nonFinite: NonFinite) {
        if let finiteText { out += finiteText; return }
        switch nonFinite {
        case .pythonLiteral: out += d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity")
        case .string: out += d.isNaN ? "\"nan\"" : (d > 0 ? "\"inf\"" : "\"-inf\"")
        }
    }
}
