import Pickle

/// Counts of what a file holds, gathered while streaming (nothing retained): nodes by
/// type, tensors and their total bytes (declared, not read). `nasdata inspect --stats`
/// uses it with the unpickler's dict-item hook dropping every item after counting it,
/// which parses any pickle in memory bounded by its largest non-dict container.
public struct TreeStats: Sendable {
    static let names = ["None", "bool", "int", "float", "str", "bytes", "list", "tuple", "dict", "set",
                        "torch.Tensor", "torch.storage", "numpy.ndarray", "numpy.scalar", "numpy.dtype", "global", "object"]
    private var counts = [Int](repeating: 0, count: TreeStats.names.count)
    public private(set) var tensors = 0
    public private(set) var tensorBytes = 0
    public private(set) var arrays = 0
    public private(set) var arrayBytes = 0

    public init() {}

    /// Nodes by type name (types never seen are left out).
    public var nodes: [String: Int] {
        Dictionary(uniqueKeysWithValues: zip(TreeStats.names, counts).filter { $0.1 > 0 })
    }
    public var totalNodes: Int { counts.reduce(0, +) }

    /// Counts `value` and everything inside it (iteratively: no recursion limit).
    public mutating func add(_ value: PickleValue) {
        var pending = [value]
        while let v = pending.popLast() {
            let c: Int
            switch v {
            case .none: c = 0
            case .bool: c = 1
            case .int, .bigInt: c = 2
            case .float: c = 3
            case .string: c = 4
            case .bytes: c = 5
            case .list(let l): c = 6; pending += l.items
            case .tuple(let t): c = 7; pending += t
            case .dict(let d): c = 8; pending += d.keys; pending += d.values
            case .set(let s): c = 9; pending += s.items
            case .tensor(let t): c = 10; tensors += 1; tensorBytes += t.elementCount * t.dtype.byteSize
            case .storage: c = 11
            case .ndarray(let a): c = 12; arrays += 1; arrayBytes += a.data.count
            case .numpyScalar: c = 13
            case .numpyDType: c = 14
            case .global: c = 15
            case .object(let o): c = 16; pending += o.args; if let s = o.state { pending.append(s) }
            }
            counts[c] += 1
        }
    }

    /// Loads `path` streaming, counting every value and dropping every dict item. A later
    /// reference to a dropped value (shared objects) counts as one `None`.
    public static func gather(path: String, kind: AnyFile.Kind? = nil,
                              options: Unpickler.Options = Unpickler.Options(),
                              maxBytes: Int64? = nil) throws -> (AnyFile.Kind, TreeStats) {
        var stats = TreeStats()
        var options = options
        options.consumedMemoPlaceholder = PickleValue.none
        let k = try kind ?? AnyFile.sniff(path: path)
        let root: PickleValue
        switch k {
        case .torchLegacy, .torchZip:
            root = try TorchCheckpoint.load(path: path, options: options) { item in
                stats.add(item.key); stats.add(item.value); return .drop
            }
        case .pickle, .pickleBz2:
            let u = try AnyFile.unpickler(path: path, kind: k, options: options, maxBytes: maxBytes)
            u.dictItemHandler = { item in stats.add(item.key); stats.add(item.value); return .drop }
            root = try u.load()
            try u.expectEnd()
        case .npy, .safetensors:
            root = try AnyFile.load(path: path, kind: k, options: options).value
        }
        stats.add(root)
        return (k, stats)
    }
}
