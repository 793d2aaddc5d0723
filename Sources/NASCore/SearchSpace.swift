/// The 15,625 NAS-Bench-201 cells in upstream's canonical (benchmark index) order.
///
/// Upstream lists every cell in mixed-radix order (edge 0 most significant, operations in
/// `Operation` order) and shuffles that list with CPython's `random.seed(88)`; a cell's
/// position in the shuffled list is its benchmark index. This type reproduces the list
/// without Python and answers lookups both ways. Lookup by architecture is exact, like
/// upstream's `query_index_by_arch` (no isomorphism folding): a miss is `nil` where
/// upstream returns -1.
public struct SearchSpace: Sendable {
    /// 5^6 cells.
    public static let count = 15_625
    /// The `random.seed` upstream shuffles the enumeration with.
    public static let shuffleSeed = 88

    /// The shared instance (built once, about a millisecond of work).
    public static let canonical = SearchSpace()

    /// Enumeration code (see `Architecture.enumerationCode`) of the cell at each index.
    private let codeAtIndex: [Int]
    /// Inverse of `codeAtIndex`.
    private let indexOfCode: [Int]

    private init() {
        var codes = Array(0..<SearchSpace.count)
        var random = PythonRandom(seed: SearchSpace.shuffleSeed)
        random.shuffle(&codes)
        var inverse = [Int](repeating: 0, count: SearchSpace.count)
        for (index, code) in codes.enumerated() { inverse[code] = index }
        codeAtIndex = codes
        indexOfCode = inverse
    }

    /// The architecture at benchmark index `index`, or nil outside 0..<15625.
    public func architecture(at index: Int) -> Architecture? {
        guard (0..<SearchSpace.count).contains(index) else { return nil }
        return Architecture(enumerationCode: codeAtIndex[index])
    }

    /// The benchmark index of `architecture` (every well-formed cell has one).
    public func index(of architecture: Architecture) -> Int {
        indexOfCode[architecture.enumerationCode]
    }

    /// The benchmark index of an architecture string, or nil when the string is not
    /// exactly one of the 15,625 (upstream's -1).
    public func index(of string: String) -> Int? {
        guard let architecture = try? Architecture(string), architecture.description == string else { return nil }
        return index(of: architecture)
    }

    /// Every architecture, in index order.
    public var architectures: [Architecture] {
        codeAtIndex.map { Architecture(enumerationCode: $0)! }
    }

    /// Every architecture string in index order, one a line with a final newline: the text whose
    /// sha256 the reference quotes (`nasdata archs` prints exactly this).
    public func listing() -> String {
        var text = ""
        text.reserveCapacity(SearchSpace.count * 90)
        for architecture in architectures { text += architecture.description; text += "\n" }
        return text
    }
}
