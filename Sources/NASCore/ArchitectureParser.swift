/// A malformed architecture string: which token, where, and what is wrong.
public struct ArchitectureParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The whole string that was being parsed.
    public let input: String
    /// The offending token (may be empty, for example a missing node).
    public let token: String
    /// 0-based character offset of the token in `input`.
    public let position: Int
    public let reason: String

    public var description: String {
        "invalid architecture string \"\(input)\": \(reason) at character \(position) (token \"\(token)\")"
    }
}

/// Parser for `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`, stricter than upstream's `str2structure`:
/// an NB201 cell must have exactly 3 nodes, node i must list inputs 0..<i in order, and every
/// operation must be one of the five. Errors carry the offending token and its offset.
enum ArchitectureParser {
    static func parse(_ input: String) throws -> Architecture {
        let chars = Array(input)
        func fail(_ token: String, _ position: Int, _ reason: String) -> ArchitectureParseError {
            ArchitectureParseError(input: input, token: token, position: position, reason: reason)
        }
        // Split into nodes on '+', remembering where each node starts.
        var nodes: [(text: [Character], start: Int)] = []
        var start = 0
        for i in 0...chars.count where i == chars.count || chars[i] == "+" {
            nodes.append((Array(chars[start..<i]), start))
            start = i + 1
        }
        guard nodes.count == Architecture.nodeCount else {
            let extra = nodes.count > 3 ? nodes[3] : nodes[nodes.count - 1]
            throw fail(String(extra.text), extra.start, "expected 3 nodes separated by '+', found \(nodes.count)")
        }
        var operations: [Operation] = []
        for (n, node) in nodes.enumerated() {
            let nodeIndex = n + 1
            let text = node.text
            guard text.first == "|" else {
                throw fail(String(text), node.start, "node \(nodeIndex) must start with '|'")
            }
            guard text.count >= 2, text.last == "|" else {
                throw fail(String(text), node.start + max(text.count - 1, 0), "node \(nodeIndex) must end with '|'")
            }
            // Tokens between the bars.
            var tokens: [(text: String, start: Int)] = []
            var tokenStart = 1
            for i in 1..<text.count where text[i] == "|" {
                tokens.append((String(text[tokenStart..<i]), node.start + tokenStart))
                tokenStart = i + 1
            }
            guard tokens.count == nodeIndex else {
                let at: (text: String, start: Int) = tokens.count > nodeIndex ? tokens[nodeIndex] : (String(text), node.start)
                throw fail(at.text, at.start, "node \(nodeIndex) must have \(nodeIndex) input(s), found \(tokens.count)")
            }
            for (from, token) in tokens.enumerated() {
                let parts = token.text.split(separator: "~", omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw fail(token.text, token.start, "expected 'operation~input'")
                }
                guard let op = Operation(rawValue: String(parts[0])) else {
                    throw fail(token.text, token.start,
                               "unknown operation '\(parts[0])' (expected one of \(Operation.allCases.map(\.name).joined(separator: ", ")))")
                }
                guard let source = Int(parts[1]), String(source) == parts[1] else {
                    throw fail(token.text, token.start + parts[0].count + 1, "input '\(parts[1])' is not a node number")
                }
                guard source == from else {
                    throw fail(token.text, token.start + parts[0].count + 1,
                               "node \(nodeIndex) input \(from) must come from node \(from), not \(source)")
                }
                operations.append(op)
            }
        }
        return Architecture(operations: operations)
    }
}
