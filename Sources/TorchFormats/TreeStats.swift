import Pickle

/// Counts of what a file holds, gathered while streaming (nothing retained): nodes by
/// type, tensors and their total bytes (declared, not read). `nasdata inspect --stats`
/// uses it with the unpickler's dict-item hook dropping every item after counting it,
/// which parses any pickle in memory bounded by its largest non-dict container.
public struct TreeStats: Sendable {
    public private(set) var nodes: [String: Int] = [:]
    public private(set) var tensors = 0
    public private(set) var tensorBytes = 0
    public private(set) var arrays = 0
    public private(set) var arrayBytes = 0

    public init() {}

    public var totalNodes: Int { nodes.values.reduce(0, +) }

    /// Counts `value` and everything inside it (iteratively: no recursion limit).
    public mutating func add(_ value: PickleValue) {
        var pending = [value]
        while let v = pending.popLast() {
            nodes[v.typeName.hasPrefix("torch.") && v.tensor == nil ? "torch.storage" : category(v), default: 0] += 1
            switch v {
            case .dict(let d): pending += d.keys; pending += d.values
            case .list, .tuple, .set: pending += v.list ?? []
            case .object(let o): pending += o.args; if let s = o.state { pending.append(s) }
            case .tensor(let t): tensors += 1; tensorBytes += t.elementCount * t.dtype.byteSize
            case .ndarray(let a): arrays += 1; arrayBytes += a.data.count
            default: break
            }
        }
    }

    private func category(_ v: PickleValue) -> String {
        switch v {
        case .dict: return "dict"
        case .set: return "set"
        case .numpyScalar: return "numpy.scalar"
        case .global: return "global"
        case .object: return "object"
        default: return v.typeName
        }
    }

    /// Loads `path` streaming, counting every value and dropping every dict item. A later
    /// reference to a dropped value (shared objects) counts as one `None`.
    public static func gather(path: String, kind: AnyFile.Kind? = nil,
                              options: Unpickler.Options = Unpickler.Options()) throws -> (AnyFile.Kind, TreeStats) {
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
        case .pickle:
            let u = try Unpickler(path: path, options: options)
            u.dictItemHandler = { item in stats.add(item.key); stats.add(item.value); return .drop }
            root = try u.load()
        case .npy, .safetensors:
            root = try AnyFile.load(path: path, kind: k, options: options).value
        }
        stats.add(root)
        return (k, stats)
    }
}
