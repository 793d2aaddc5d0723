/// How the forward pass runs each of a cell's six edges.
enum EdgeKind: Equatable, Sendable {
    /// `none`: contributes zeros (dropped from the sum).
    case zero
    /// `skip_connect`: adds its input.
    case identity
    /// `nor_conv_3x3` / `nor_conv_1x1`: ReLU -> Conv(k, pad k/2, no bias) -> BatchNorm.
    case convolution(kernel: Int)
    /// `avg_pool_3x3`: stride 1, pad 1, count_include_pad=False.
    case averagePool

    var kernelSize: Int? {
        if case let .convolution(k) = self { return k }
        return nil
    }
}

/// A cell's edges in architecture-string order: (1<-0), (2<-0), (2<-1), (3<-0), (3<-1), (3<-2).
struct CellStructure: Sendable {
    struct Edge: Sendable {
        var source: Int
        var target: Int
        var operation: EdgeKind
    }
    var edges: [Edge]

    // TEMPORARY until NASBench.Architecture lands on main: then this parses through it.
    init(_ architecture: String) throws {
        let nodes = architecture.split(separator: "+", omittingEmptySubsequences: false)
        var edges: [Edge] = []
        guard nodes.count == 3 else { throw ArchitectureStringError(architecture) }
        for (n, node) in nodes.enumerated() {
            guard node.hasPrefix("|"), node.hasSuffix("|") else { throw ArchitectureStringError(architecture) }
            let ops = node.dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false)
            guard ops.count == n + 1 else { throw ArchitectureStringError(architecture) }
            for (j, op) in ops.enumerated() {
                let parts = op.split(separator: "~")
                guard parts.count == 2, Int(parts[1]) == j else { throw ArchitectureStringError(architecture) }
                let kind: EdgeKind
                switch parts[0] {
                case "none": kind = .zero
                case "skip_connect": kind = .identity
                case "nor_conv_1x1": kind = .convolution(kernel: 1)
                case "nor_conv_3x3": kind = .convolution(kernel: 3)
                case "avg_pool_3x3": kind = .averagePool
                default: throw ArchitectureStringError(architecture)
                }
                edges.append(Edge(source: j, target: n + 1, operation: kind))
            }
        }
        self.edges = edges
    }
}

public struct ArchitectureStringError: Error, CustomStringConvertible {
    public var string: String
    init(_ s: String) { string = s }
    public var description: String { "not a NAS-Bench-201 architecture string: \(string)" }
}
