
/// How the forward pass runs each of a cell's six edges.
package enum EdgeKind: Equatable, Sendable {
    /// `none`: contributes zeros (dropped from the sum).
    case zero
    /// `skip_connect`: adds its input.
    case identity
    /// `nor_conv_3x3` / `nor_conv_1x1`: ReLU -> Conv(k, pad k/2, no bias) -> BatchNorm.
    case convolution(kernel: Int)
    /// `avg_pool_3x3`: stride 1, pad 1, count_include_pad=False.
    case averagePool

    package var kernelSize: Int? {
        if case let .convolution(k) = self { return k }
        return nil
    }
}

/// A cell's edges in architecture-string order: (1<-0), (2<-0), (2<-1), (3<-0), (3<-1), (3<-2).
package struct CellStructure: Sendable {
    package struct Edge: Sendable {
        package var source: Int
        package var target: Int
        package var operation: EdgeKind
    }
    package var edges: [Edge]

    package init(_ architecture: Architecture) {
        edges = zip(Architecture.edges, architecture.operations).map { pair, operation in
            let kind: EdgeKind
            switch operation {
            case .none: kind = .zero
            case .skipConnect: kind = .identity
            case .conv1x1: kind = .convolution(kernel: 1)
            case .conv3x3: kind = .convolution(kernel: 3)
            case .avgPool3x3: kind = .averagePool
            }
            return Edge(source: pair.from, target: pair.to, operation: kind)
        }
    }
}
