/// Reading a tree: subscripts that never trap, typed accessors that return nil on a
/// type mismatch, and `value(at:)` that throws a path-naming error instead.
extension PickleValue {
    /// Dict lookup (any key); on a list or tuple an `.int` key is an index.
    /// A missing step yields `.none`, so chains like `v["a"][3]["b"]` never trap.
    public subscript(key: PickleValue) -> PickleValue {
        switch self {
        case .dict(let d): return d[key] ?? .none
        case .list(let l):
            if case .int(let i) = key, l.items.indices.contains(i) { return l.items[i] }
            return .none
        case .tuple(let t):
            if case .int(let i) = key, t.indices.contains(i) { return t[i] }
            return .none
        default: return .none
        }
    }

    /// Tuple key: `v[("cifar10", 777)]`.
    public subscript(key: (String, Int)) -> PickleValue { self[.tuple([.string(key.0), .int(key.1)])] }

    /// Tuple key of any two values: `v["cifar10", 777]`.
    public subscript(a: PickleValue, b: PickleValue) -> PickleValue { self[.tuple([a, b])] }

    /// Walks `path` and throws `PickleError` naming the first missing step.
    public func value(at path: [PickleValue], in file: String = "<value>") throws -> PickleValue {
        var current = self
        for (i, step) in path.enumerated() {
            let next = current[step]
            if case .none = next, !current.contains(step) {
                let shown = path[...i].map { $0.shortDescription }.joined(separator: "][")
                throw PickleError(path: file, offset: 0, reason: .malformed("no entry [\(shown)] (\(current.typeName) there)"))
            }
            current = next
        }
        return current
    }

    /// True when the dict has `key` (or the list/tuple has index `key`).
    public func contains(_ key: PickleValue) -> Bool {
        switch self {
        case .dict(let d): return d[key] != nil
        case .list(let l): if case .int(let i) = key { return l.items.indices.contains(i) }; return false
        case .tuple(let t): if case .int(let i) = key { return t.indices.contains(i) }; return false
        default: return false
        }
    }

    public var isNone: Bool { if case .none = self { return true }; return false }

    /// `.int`, `.bool`, an integer numpy scalar, or a big int that fits.
    public var int: Int? {
        switch self {
        case .int(let v): return v
        case .bool(let b): return b ? 1 : 0
        case .numpyScalar(let s): return s.intValue
        default: return nil
        }
    }

    /// `.float`, `.int`, or a numeric numpy scalar (e.g. `np.float64` params).
    public var double: Double? {
        switch self {
        case .float(let v): return v
        case .int(let v): return Double(v)
        case .numpyScalar(let s): return s.doubleValue
        default: return nil
        }
    }

    public var bool: Bool? { if case .bool(let b) = self { return b }; return nil }

    /// A `.string`; `.bytes` are decoded as latin-1 (Python 2 `str`).
    public var string: String? {
        switch self {
        case .string(let s): return s
        case .bytes(let b): return String(latin1: b)
        default: return nil
        }
    }

    /// `.bytes`; a `.string` whose characters are all latin-1 is encoded back to bytes
    /// (a Python 2 `str` read as latin-1).
    public var bytes: [UInt8]? {
        switch self {
        case .bytes(let b): return b
        case .string(let s): return s.latin1Bytes()
        default: return nil
        }
    }

    /// Items of a list or tuple (or of a set, in its order).
    public var list: [PickleValue]? {
        switch self {
        case .list(let l): return l.items
        case .tuple(let t): return t
        case .set(let s): return s.items
        default: return nil
        }
    }

    public var tuple: [PickleValue]? { if case .tuple(let t) = self { return t }; return nil }
    public var dict: PickleDict? { if case .dict(let d) = self { return d }; return nil }
    /// The (key, value) pairs of a dict, in insertion order.
    public var dictItems: [(key: PickleValue, value: PickleValue)]? {
        guard case .dict(let d) = self else { return nil }
        return zip(d.keys, d.values).map { ($0, $1) }
    }
    public var tensor: TorchTensor? { if case .tensor(let t) = self { return t }; return nil }
    public var ndarray: NDArray? { if case .ndarray(let a) = self { return a }; return nil }

    /// The Python-ish name of this node's type, for messages.
    public var typeName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict(let d): return d.isOrdered ? "OrderedDict" : "dict"
        case .set(let s): return s.isFrozen ? "frozenset" : "set"
        case .tensor: return "torch.Tensor"
        case .storage(let s): return "torch.\(s.dtype.torchStorageName)"
        case .ndarray: return "numpy.ndarray"
        case .numpyScalar(let s): return "numpy.\(s.dtype.name)"
        case .numpyDType: return "numpy.dtype"
        case .global(let m, let n): return "\(m).\(n)"
        case .object(let o): return o.qualifiedName
        }
    }

    /// A one-line rendering for keys and messages: `'x-valid@199'`, `777`, `('cifar10', 777)`.
    public var shortDescription: String {
        switch self {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .bigInt(let b): return b.description
        case .float(let d): return String(d)
        case .string(let s): return "'" + s + "'"
        case .bytes(let b): return "b'" + (b.count <= 32 ? String(latin1: b) : "<\(b.count) bytes>") + "'"
        case .tuple(let t): return "(" + t.map(\.shortDescription).joined(separator: ", ") + (t.count == 1 ? ",)" : ")")
        case .list(let l): return "list[\(l.items.count)]"
        case .dict(let d): return "\(typeName){\(d.count)}"
        case .set(let s): return "\(typeName){\(s.items.count)}"
        case .tensor(let t): return "tensor(\(t.dtype), \(t.shape))"
        case .ndarray(let a): return "ndarray(\(a.dtype.descr), \(a.shape))"
        case .numpyScalar(let s): return "\(s.dtype.name)(\(s.doubleValue.map { String($0) } ?? "?"))"
        default: return typeName
        }
    }
}

extension String {
    /// Decodes bytes as ISO-8859-1 (every byte is one character), transcoding straight to UTF-8.
    public init(latin1 bytes: [UInt8]) {
        if bytes.allSatisfy({ $0 < 0x80 }) {
            self = String(decoding: bytes, as: UTF8.self)
            return
        }
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count * 2)
        for b in bytes {
            if b < 0x80 { utf8.append(b) } else { utf8.append(0xC0 | (b >> 6)); utf8.append(0x80 | (b & 0x3F)) }
        }
        self = String(decoding: utf8, as: UTF8.self)
    }

    /// Encodes as ISO-8859-1, or nil if a character is beyond U+00FF (works on the UTF-8 bytes directly).
    public func latin1Bytes() -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var it = utf8.makeIterator()
        while let b = it.next() {
            if b < 0x80 { out.append(b); continue }
            // U+0080..U+00FF are exactly the two-byte sequences C2 xx and C3 xx.
            guard b == 0xC2 || b == 0xC3, let c = it.next() else { return nil }
            out.append((b & 0x03) << 6 | (c & 0x3F))
        }
        return out
    }
}
