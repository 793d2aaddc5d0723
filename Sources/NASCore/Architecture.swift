/// One NAS-Bench-201 cell: an operation on each of the six edges of the 4-node DAG.
///
/// Node 0 is the cell input; node i (1...3) is the sum of `op(node j)` over j < i; node 3
/// is the output. The edges, in the order the architecture string lists them, are
/// (1<-0), (2<-0), (2<-1), (3<-0), (3<-1), (3<-2); `operations[k]` is edge k.
///
///     let arch = try Architecture("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|")
///     arch.description   // the same string, byte for byte
public struct Architecture: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The six edges as (to, from) node pairs, in string order.
    public static let edges: [(to: Int, from: Int)] = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]
    /// Number of intermediate + output nodes (node 0 is the input).
    public static let nodeCount = 3

    /// The operation on each edge, in string order (always 6 entries).
    public let operations: [Operation]

    public init(operations: [Operation]) {
        precondition(operations.count == 6, "an NB201 cell has 6 edges, got \(operations.count)")
        self.operations = operations
    }

    /// Parses the upstream string form exactly (no whitespace, no reordering); see `ArchitectureParseError`.
    public init(_ string: String) throws {
        self = try ArchitectureParser.parse(string)
    }

    /// The mixed-radix position of this cell in the unshuffled enumeration: edge 0 is the
    /// most significant base-5 digit. This is not the benchmark index; see `SearchSpace`.
    public var enumerationCode: Int {
        operations.reduce(0) { $0 * 5 + $1.index }
    }

    /// The cell at mixed-radix position `code` (0..<15625) of the unshuffled enumeration.
    public init?(enumerationCode code: Int) {
        guard (0..<SearchSpace.count).contains(code) else { return nil }
        var digits = [Operation](repeating: .none, count: 6)
        var rest = code
        for k in stride(from: 5, through: 0, by: -1) {
            digits[k] = Operation(index: rest % 5)!
            rest /= 5
        }
        self.init(operations: digits)
    }

    /// The operation on the edge into `node` (1...3) from `from` (0..<node).
    public func operation(to node: Int, from: Int) -> Operation {
        guard let k = Architecture.edges.firstIndex(where: { $0.to == node && $0.from == from }) else {
            preconditionFailure("no edge \(from) -> \(node) in an NB201 cell")
        }
        return operations[k]
    }

    /// Number of `nor_conv_3x3` edges (every edge counts, even one whose result never reaches the output,
    /// because upstream builds and counts every edge's module).
    public var conv3x3Count: Int { operations.filter { $0 == .conv3x3 }.count }
    /// Number of `nor_conv_1x1` edges.
    public var conv1x1Count: Int { operations.filter { $0 == .conv1x1 }.count }

    /// The upstream string: `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`.
    public var description: String {
        var nodes: [String] = []
        var k = 0
        for node in 1...Architecture.nodeCount {
            var parts: [String] = []
            for from in 0..<node {
                parts.append("\(operations[k].name)~\(from)")
                k += 1
            }
            nodes.append("|" + parts.joined(separator: "|") + "|")
        }
        return nodes.joined(separator: "+")
    }

    public init(from decoder: Decoder) throws {
        let string = try decoder.singleValueContainer().decode(String.self)
        try self.init(string)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
