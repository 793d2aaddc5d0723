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

/// An architecture index outside the search space.
public enum ArchitectureSelectorError: Error, Equatable, Sendable, CustomStringConvertible {
    case indexOutOfRange(Int)
    public var description: String {
        switch self {
        case .indexOutOfRange: return "an index must be in 0..<\(SearchSpace.count)"
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
