import NASDataIO
/// A minimal JSON writer for the records the archive stores (results, problems, `--json` output).
/// Non-finite floats are written as `NaN` / `Infinity` like Python's `json` module.
public indirect enum ArchiveJSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([ArchiveJSONValue])
    case object([(String, ArchiveJSONValue)])

    public static func == (a: ArchiveJSONValue, b: ArchiveJSONValue) -> Bool { ArchiveJSON.encode(a) == ArchiveJSON.encode(b) }
}

public enum ArchiveJSON {
    public static func object(_ members: [(String, ArchiveJSONValue)]) -> String { encode(.object(members)) }

    public static func encode(_ value: ArchiveJSONValue) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    private static func write(_ value: ArchiveJSONValue, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if d.isNaN { out += "NaN" } else if d.isInfinite { out += d > 0 ? "Infinity" : "-Infinity" }
            else if d == d.rounded(), abs(d) < 1e15 { out += String(d) } // "3.0": stays a float in Python
            else { out += "\(d)" }
        case .string(let s): JSONString.quote(s, into: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                write(item, into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (key, item)) in members.enumerated() {
                if i > 0 { out += ", " }
                JSONString.quote(key, into: &out)
                out += ": "
                write(item, into: &out)
            }
            out += "}"
        }
    }
}
