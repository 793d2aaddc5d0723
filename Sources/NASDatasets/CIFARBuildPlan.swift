/// Which evaluation sets NAS-Bench-201 builds from CIFAR (NAS-BENCH-201.md §7), as
/// selections of original records.
///
/// | data set      | train                     | x-valid                  | x-test              | ori-test |
/// |---------------|---------------------------|--------------------------|---------------------|----------|
/// | cifar10-valid | C10 train[split.train]    | C10 train[split.valid]   | -                   | C10 test |
/// | cifar10       | C10 train                 | -                        | -                   | C10 test |
/// | cifar100      | C100 train                | C100 test[split.xvalid]  | C100 test[split.xtest] | C100 test |
public struct CIFARPlannedSet: Sendable {
    public let dataset: String
    public let set: String
    /// Train or test records of the original.
    public let fromTest: Bool
    /// Sorted original indices; nil = every record, in order.
    public let selection: [Int]?
    /// Human-readable provenance, stored as the set's `source` attribute.
    public let source: String

    /// Routes original records `offset ..< offset + count` of this set's source: the
    /// range of set positions they fill and which of them (relative to `offset`).
    func route(offset: Int, count: Int) -> (position: Int, members: [Int])? {
        guard let selection else { return count > 0 ? (offset, Array(0..<count)) : nil }
        let lo = lowerBound(selection, offset), hi = lowerBound(selection, offset + count)
        guard hi > lo else { return nil }
        return (lo, selection[lo..<hi].map { $0 - offset })
    }

    private func lowerBound(_ a: [Int], _ x: Int) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

public enum CIFARBuildPlan {
    public static func cifar10(split: SplitFile, splitSource: String) -> [CIFARPlannedSet] {
        [
            CIFARPlannedSet(dataset: "cifar10-valid", set: "train", fromTest: false, selection: split["train"],
                            source: "CIFAR-10 train[\(splitSource):train]"),
            CIFARPlannedSet(dataset: "cifar10-valid", set: "x-valid", fromTest: false, selection: split["valid"],
                            source: "CIFAR-10 train[\(splitSource):valid]"),
            CIFARPlannedSet(dataset: "cifar10-valid", set: "ori-test", fromTest: true, selection: nil, source: "CIFAR-10 test"),
            CIFARPlannedSet(dataset: "cifar10", set: "train", fromTest: false, selection: nil, source: "CIFAR-10 train"),
            CIFARPlannedSet(dataset: "cifar10", set: "ori-test", fromTest: true, selection: nil, source: "CIFAR-10 test"),
        ]
    }

    public static func cifar100(split: SplitFile, splitSource: String) -> [CIFARPlannedSet] {
        [
            CIFARPlannedSet(dataset: "cifar100", set: "train", fromTest: false, selection: nil, source: "CIFAR-100 train"),
            CIFARPlannedSet(dataset: "cifar100", set: "x-valid", fromTest: true, selection: split["xvalid"],
                            source: "CIFAR-100 test[\(splitSource):xvalid]"),
            CIFARPlannedSet(dataset: "cifar100", set: "x-test", fromTest: true, selection: split["xtest"],
                            source: "CIFAR-100 test[\(splitSource):xtest]"),
            CIFARPlannedSet(dataset: "cifar100", set: "ori-test", fromTest: true, selection: nil, source: "CIFAR-100 test"),
        ]
    }
}
