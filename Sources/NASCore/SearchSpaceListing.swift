/// `nasdata archs`: a search space's architectures in benchmark-index order, and the index of one.
extension SearchSpaceKind {
    public enum ListingFormat: Sendable {
        /// One string a line (`listing()`).
        case plain
        /// `INDEX<tab>STRING` a line.
        case indexed
        /// `[{"index": N, "arch": "..."}, ...]`, one object a line.
        case json
    }

    /// Every architecture in index order, newline-terminated, in `format`.
    public func listing(_ format: ListingFormat) -> String {
        if format == .plain { return listing() }
        let strings = (0..<count).map { architectureString(at: $0)! }
        if format == .json {
            return "[\n" + strings.enumerated().map { "  {\"index\": \($0.offset), \"arch\": \"\($0.element)\"}" }
                .joined(separator: ",\n") + "\n]\n"
        }
        var out = ""
        for (i, arch) in strings.enumerated() { out += "\(i)\t\(arch)\n" }
        return out
    }

    /// The index of an architecture string; nil when it is well-formed but not exactly one of
    /// the space's (upstream's -1). Throws the parser's error for a malformed string.
    public func lookup(_ string: String) throws -> Int? {
        if self == .topology { _ = try Architecture(string) } else { _ = try ChannelSizes(string) }
        return index(of: string)
    }

    /// What `archs --lookup` prints for a found architecture.
    public static func lookupLine(index: Int, arch: String, json: Bool) -> String {
        json ? "{\"index\": \(index), \"arch\": \"\(arch)\"}" : "\(index)"
    }
}
