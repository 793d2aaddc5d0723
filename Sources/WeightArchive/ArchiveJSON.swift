import NASDataIO

/// The archive's JSON records (run results, problem lines, `--json` reports) use
/// Python's spelling of non-finite floats (`NaN`, `Infinity`), so `json.loads` reads
/// them back as the floats they were.
public enum ArchiveJSON {
    public static func object(_ members: [(String, JSONValue)]) -> String { encode(.object(members)) }

    public static func encode(_ value: JSONValue) -> String { value.encoded(nonFinite: .pythonLiteral) }
}
