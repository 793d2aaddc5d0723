/// An ordered mapping from parameter name to tensor: PyTorch's `state_dict()`.
///
/// Order matters (it is the module registration order, and what `torch.save`
/// writes); lookups by name go through an index built once.
public struct StateDict: Equatable, Sendable {
    public private(set) var entries: [(name: String, tensor: Tensor)]
    private var index: [String: Int]

    public init() { entries = []; index = [:] }

    public init(_ entries: [(name: String, tensor: Tensor)]) {
        self.init()
        for (name, tensor) in entries { self[name] = tensor }
    }

    public var names: [String] { entries.map(\.name) }
    public var count: Int { entries.count }

    /// Setting an existing name replaces its tensor in place (order kept);
    /// a new name is appended; nil removes.
    public subscript(name: String) -> Tensor? {
        get { index[name].map { entries[$0].tensor } }
        set {
            if let i = index[name] {
                if let newValue { entries[i].tensor = newValue } else {
                    entries.remove(at: i)
                    index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.name, $0) })
                }
            } else if let newValue {
                index[name] = entries.count
                entries.append((name, newValue))
            }
        }
    }

    public static func == (a: StateDict, b: StateDict) -> Bool {
        a.entries.count == b.entries.count
            && zip(a.entries, b.entries).allSatisfy { $0.name == $1.name && $0.tensor == $1.tensor }
    }
}
