/// Lookups in NATS-Bench's canonical order of the size space (`ChannelSizes.init?(index:)` and
/// `index`: `itertools.product(choices, repeat=5)`, the first stage's width most significant).
/// Checked against the authors' 32,768-entry `meta_archs` (Tests/Fixtures/nats): the listing's
/// sha256 is 5f44ac682201a4932904284a4b8e05a2e6f884481c009e1aa655ae7bd378b1df. Lookup by string
/// is exact, as upstream's `query_index_by_arch` (a miss is upstream's -1).
extension ChannelSizes {
    /// The index of a `C1:C2:C3:C4:C5` string, or nil when it is not exactly one of the 32,768.
    public static func index(of string: String) -> Int? {
        guard let sizes = try? ChannelSizes(string), sizes.description == string else { return nil }
        return sizes.index
    }
}

extension SearchSpaceKind {
    /// The architecture string at benchmark index `index` (topology cell or channel string).
    public func architectureString(at index: Int) -> String? {
        switch self {
        case .topology: return SearchSpace.canonical.architecture(at: index)?.description
        case .size: return ChannelSizes(index: index)?.description
        }
    }

    /// The benchmark index of an architecture string, nil when it is not exactly one of the space's.
    public func index(of string: String) -> Int? {
        switch self {
        case .topology: return SearchSpace.canonical.index(of: string)
        case .size: return ChannelSizes.index(of: string)
        }
    }

    /// Every architecture string in index order, one a line with a final newline (`nasdata archs`).
    public func listing() -> String {
        switch self {
        case .topology: return SearchSpace.canonical.listing()
        case .size:
            var text = ""
            text.reserveCapacity(ChannelSizes.count * 14)
            for i in 0..<ChannelSizes.count { text += ChannelSizes(index: i)!.description; text += "\n" }
            return text
        }
    }

    /// The schedule a query uses when none is given: the space's full training (200 / 90 epochs).
    public var fullSchedule: Schedule { schedules.max()! }
}
