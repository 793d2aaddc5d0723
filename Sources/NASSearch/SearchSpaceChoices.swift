import NASCore

/// The search spaces as the algorithms see them: an architecture is one choice per position, each
/// position choosing among the same values. Topology (tss): 6 edges in string order, each one of the
/// 5 operations (`Operation`'s order); size (sss): 5 stages, each one of the 8 widths 8 ... 64
/// (`ChannelSizes.choices`). Upstream's random architecture is `random.choice(values)` per position in
/// this order, REINFORCE's policy has one row per position, BOHB one categorical hyperparameter.
extension SearchSpaceKind {
    /// Positions an architecture chooses at.
    var positions: Int {
        switch self {
        case .topology: return Architecture.edges.count
        case .size: return ChannelSizes.stageCount
        }
    }

    /// Values each position chooses among.
    var valuesPerPosition: Int {
        switch self {
        case .topology: return Operation.allCases.count
        case .size: return ChannelSizes.choices.count
        }
    }

    /// The mixed-radix code of a choice vector, first position most significant: the cell's
    /// `Architecture.enumerationCode` (tss), the canonical `ChannelSizes.index` (sss). 0 ..< `count`.
    func code(_ choices: [Int]) -> Int {
        choices.reduce(0) { $0 * valuesPerPosition + $1 }
    }

    /// The choices of an architecture string that is exactly one of the space's, nil otherwise.
    func choices(of string: String) -> [Int]? {
        switch self {
        case .topology:
            guard let cell = try? Architecture(string), cell.description == string else { return nil }
            return cell.operations.map(\.index)
        case .size:
            guard let sizes = try? ChannelSizes(string), sizes.description == string else { return nil }
            return sizes.channels.map { ChannelSizes.choices.firstIndex(of: $0)! }
        }
    }

    /// The architecture string of a choice vector.
    func string(of choices: [Int]) -> String {
        switch self {
        case .topology: return Architecture(operations: choices.map { Operation(index: $0)! }).description
        case .size: return ChannelSizes.format(choices.map { ChannelSizes.choices[$0] })
        }
    }

    /// A random architecture as upstream draws it: `random.choice(values)` per position, in order.
    func randomChoices(_ random: inout PythonRandom) -> [Int] {
        (0..<positions).map { _ in random.randbelow(valuesPerPosition) }
    }

    /// REA's mutation as upstream's scripts do it. Topology: `node = randint(0, 2)`, `edge =
    /// randint(0, len(node) - 1)` (node k has k + 1 incoming edges), then `choice(ops)` until it differs
    /// from the edge's operation. Size: `layer = randint(0, 4)`, then `choice(candidates)`, which may
    /// equal the old width.
    func mutate(_ parent: [Int], _ random: inout PythonRandom) -> [Int] {
        var child = parent
        switch self {
        case .topology:
            let node = random.randint(0, Architecture.nodeCount - 1)
            let edge = random.randint(0, node)
            let k = node * (node + 1) / 2 + edge
            var op = random.randbelow(valuesPerPosition)
            while op == child[k] { op = random.randbelow(valuesPerPosition) }
            child[k] = op
        case .size:
            let layer = random.randint(0, positions - 1)
            child[layer] = random.randbelow(valuesPerPosition)
        }
        return child
    }

    /// `run-all.sh`'s time budget (simulated seconds) for a data set in this space.
    public func timeBudget(_ dataset: SearchDataset) -> Double {
        switch (self, dataset) {
        case (_, .cifar10): return 20_000
        case (_, .cifar100): return 40_000
        case (.topology, .imageNet16): return 120_000
        case (.size, .imageNet16): return 60_000
        }
    }
}
