import NASDataIO
/// A tiny JSON writer with exact control over numbers: integers print exactly,
/// floats print as Swift's shortest round-trip text, non-finite floats as strings.
indirect enum JSONText: CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case float(Float)
    case string(String)
    case array([JSONText])
    case object([(String, JSONText)])

    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let n): return String(n)
        case .double(let d): return d.isFinite ? "\(d)" : "\"\(d)\""
        case .float(let f): return f.isFinite ? "\(f)" : "\"\(f)\""
        case .string(let s): return JSONString.quote(s)
        case .array(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .object(let pairs): return "{" + pairs.map { JSONString.quote($0.0) + ": " + $0.1.description }.joined(separator: ", ") + "}"
        }
    }
}
