/// One of the five candidate operations on an NAS-Bench-201 cell edge.
///
/// The case order is upstream's `NAS_BENCH_201` list order (`none`, `skip_connect`,
/// `nor_conv_1x1`, `nor_conv_3x3`, `avg_pool_3x3`); the mixed-radix enumeration that
/// the canonical index shuffles depends on it, so never reorder the cases.
public enum Operation: String, CaseIterable, Sendable, Codable, Comparable {
    case none = "none"
    case skipConnect = "skip_connect"
    case conv1x1 = "nor_conv_1x1"
    case conv3x3 = "nor_conv_3x3"
    case avgPool3x3 = "avg_pool_3x3"

    /// Position in upstream's operation list (0...4).
    public var index: Int {
        switch self {
        case .none: return 0
        case .skipConnect: return 1
        case .conv1x1: return 2
        case .conv3x3: return 3
        case .avgPool3x3: return 4
        }
    }

    public init?(index: Int) {
        guard (0..<Operation.allCases.count).contains(index) else { return nil }
        self = Operation.allCases[index]
    }

    /// The name as it appears in architecture strings.
    public var name: String { rawValue }

    /// Whether this edge carries a ReLU-Conv-BN block (and so parameters and FLOPs).
    public var isConvolution: Bool { self == .conv1x1 || self == .conv3x3 }

    public static func < (a: Operation, b: Operation) -> Bool { a.index < b.index }
}
