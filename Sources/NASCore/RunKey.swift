/// An architecture chosen by canonical benchmark index or by its string, the one way every
/// command and reader selects a topology cell (`--arch 1651` or `--arch '|nor_conv_3x3~0|+...'`).
public enum ArchitectureSelector: Hashable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral,
                                  CustomStringConvertible {
    case index(Int)
    case string(String)

    public init(integerLiteral value: Int) { self = .index(value) }
    public init(stringLiteral value: String) { self = .string(value) }

    /// An all-digit text is an index, anything else an architecture string.
    public init(parsing text: String) {
        if let i = Int(text) { self = .index(i) } else { self = .string(text) }
    }

    public var description: String {
        switch self {
        case .index(let i): return String(i)
        case .string(let s): return s
        }
    }

    /// The architecture and its canonical index. An index must be in 0..<15625; a string must
    /// parse (every well-formed cell has an index).
    public func resolve(in space: SearchSpace = .canonical) throws -> (architecture: Architecture, index: Int) {
        switch self {
        case .index(let i):
            guard let architecture = space.architecture(at: i) else { throw ArchitectureSelectorError.indexOutOfRange(i) }
            return (architecture, i)
        case .string(let s):
            let architecture = try Architecture(s)
            return (architecture, space.index(of: architecture))
        }
    }
}

extension ArchitectureSelector {
    /// The candidate this selector names in either search space. A `C1:C2:C3:C4:C5` string is a
    /// size-space candidate (and contradicts `space` `.topology`); an index belongs to `space`
    /// (nil: the topology space, NAS-Bench-201's); any other string is a topology cell (and
    /// contradicts `space` `.size`).
    public func select(space: SearchSpaceKind? = nil) throws -> SelectedArchitecture {
        switch self {
        case .string(let s) where s.contains(":") && !s.contains("|"):
            guard space != .topology else { throw ArchitectureSelectorError.spaceMismatch(s, space: .topology) }
            let size = try ChannelSizes(s)
            return .size(size, index: size.index)
        case .string(let s) where space == .size:
            throw ArchitectureSelectorError.spaceMismatch(s, space: .size)
        case .index(let i) where space == .size:
            guard let size = ChannelSizes(index: i) else { throw ArchitectureSelectorError.indexOutOfRange(i, space: .size) }
            return .size(size, index: i)
        default:
            let (architecture, index) = try resolve()
            return .topology(architecture, index: index)
        }
    }
}

/// One candidate of either search space, with its canonical index: a topology cell, or a
/// size-space channel configuration (trained on NATS-Bench's fixed cell).
public enum SelectedArchitecture: Hashable, Sendable, CustomStringConvertible {
    case topology(Architecture, index: Int)
    case size(ChannelSizes, index: Int)

    public var space: SearchSpaceKind {
        switch self {
        case .topology: return .topology
        case .size: return .size
        }
    }

    public var index: Int {
        switch self {
        case .topology(_, let index), .size(_, let index): return index
        }
    }

    /// The string form: `|op~0|+|...|` or `8:16:24:32:40`.
    public var description: String {
        switch self {
        case .topology(let architecture, _): return architecture.description
        case .size(let size, _): return size.description
        }
    }

    /// `8:16:24:32:40 (index 1234)`: the string with its index.
    public var label: String { "\(description) (index \(index))" }

    /// The network upstream builds: `TinyNetwork(C, N, cell)` for a topology cell (C=16, N=5 in
    /// the benchmark), `DynamicShapeTinyNet(channels, genotype)` for a size-space candidate.
    public func networkConfig(classes: Int, channels: Int = 16, cellsPerStage: Int = 5,
                              genotype: String = NetworkConfig.sizeSpaceCell) -> NetworkConfig {
        switch self {
        case .topology(let architecture, _):
            return NetworkConfig(architecture: architecture.description, classes: classes, channels: channels,
                                 cellsPerStage: cellsPerStage)
        case .size(let size, _):
            return NetworkConfig(size: size, genotype: genotype, classes: classes)
        }
    }
}

/// An architecture the selector cannot name: an index outside its space, or a string of the
/// other space than the one asked for.
public enum ArchitectureSelectorError: Error, Equatable, Sendable, CustomStringConvertible {
    case indexOutOfRange(Int, space: SearchSpaceKind = .topology)
    case spaceMismatch(String, space: SearchSpaceKind)
    public var description: String {
        switch self {
        case .indexOutOfRange(_, let space): return "an index must be in 0..<\(space.count)"
        case .spaceMismatch(let s, .topology): return "\(s) is a size-space architecture, but the space is tss"
        case .spaceMismatch(_, .size): return "a size-space (sss) architecture is an index (0-\(ChannelSizes.count - 1)) or C1:C2:C3:C4:C5"
        }
    }
}

/// One training run: which space, architecture, data set, seed and schedule. The seed is
/// optional where a caller means "the lowest seed recorded".
public struct RunKey: Hashable, Sendable, CustomStringConvertible {
    public var space: SearchSpaceKind
    public var architecture: ArchitectureSelector
    public var dataset: NB201Dataset
    public var seed: Int?
    public var schedule: Schedule

    public init(space: SearchSpaceKind = .topology, architecture: ArchitectureSelector, dataset: NB201Dataset,
                seed: Int? = nil, schedule: Schedule = .twoHundred) {
        self.space = space; self.architecture = architecture; self.dataset = dataset; self.seed = seed; self.schedule = schedule
    }

    public var description: String {
        "\(space.rawValue) \(architecture) \(dataset.name) seed \(seed.map(String.init) ?? "any") hp \(schedule)"
    }
}
