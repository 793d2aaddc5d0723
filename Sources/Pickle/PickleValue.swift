import Tensors

/// One node of an unpickled object tree. Nothing in it was executed: every class
/// the pickle named was mapped from an allow-list onto one of these cases.
///
/// Containers (`list`, `dict`, `set`, `object`) are reference types so that the
/// pickle's shared references (memo GETs) stay shared, as in Python. They are
/// filled by the unpickler only and are read-only to everyone else, so a finished
/// tree is safe to share across threads.
///
/// Navigation: `v["arch2infos"][777]["full"]["all_results"][("cifar10", 777)]`
/// (subscripts yield `.none` when a step is missing; `value(at:)` throws
/// instead), then `.int`, `.double`, `.string`, `.list`, `.dictItems`, ...
public enum PickleValue: Sendable {
    case none
    case bool(Bool)
    /// Any integer that fits in 64 bits.
    case int(Int)
    /// An integer beyond 64 bits (e.g. torch's legacy magic number).
    case bigInt(PickleBigInt)
    case float(Double)
    /// Unicode strings, and Python 2 `str` when read as latin-1 (the default).
    case string(String)
    /// `bytes`, `bytearray`, and Python 2 `str` when read as bytes.
    case bytes([UInt8])
    case list(PickleList)
    case tuple([PickleValue])
    /// `dict` and `collections.OrderedDict` (insertion order kept; any hashable keys).
    case dict(PickleDict)
    /// `set` and `frozenset`.
    case set(PickleSet)
    /// A torch tensor: a view into a storage, read lazily (`materialize()`).
    indirect case tensor(TorchTensor)
    /// A torch storage (what a persistent id resolves to in a checkpoint).
    case storage(TorchStorage)
    /// A numpy `ndarray` (numeric dtypes).
    case ndarray(NDArray)
    /// A numpy scalar such as `np.float64(0.5)`.
    case numpyScalar(NumpyScalar)
    /// A `numpy.dtype` object.
    case numpyDType(NumpyDType)
    /// A reference to an allowed class or function itself (e.g. `torch.FloatStorage`).
    indirect case global(module: String, name: String)
    /// An object of an allowed class that nasdata does not model: class, arguments, state.
    case object(PickleObject)
}

/// An integer of any size, as its little-endian two's-complement bytes (pickle's LONG1/LONG4 layout).
public struct PickleBigInt: Hashable, Sendable, CustomStringConvertible {
    public let littleEndianBytes: [UInt8]
    /// Stores the minimal two's-complement form (redundant sign bytes dropped), so equal numbers compare equal.
    public init(littleEndianBytes: [UInt8]) {
        var b = littleEndianBytes
        while b.count > 1 {
            let last = b[b.count - 1], prev = b[b.count - 2]
            if (last == 0 && prev & 0x80 == 0) || (last == 0xFF && prev & 0x80 != 0) { b.removeLast() } else { break }
        }
        self.littleEndianBytes = b
    }

    /// Parses decimal digits with an optional sign (protocol 0's INT/LONG); at most 10,000 digits.
    public init?(decimal: String) {
        var digits = Substring(decimal)
        let negative = digits.first == "-"
        if negative || digits.first == "+" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 10_000, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var mag: [UInt8] = [0]  // little-endian magnitude
        for c in digits.utf8 {
            var carry = Int(c - 48)
            for i in mag.indices {
                let v = Int(mag[i]) * 10 + carry
                mag[i] = UInt8(v & 0xFF); carry = v >> 8
            }
            while carry > 0 { mag.append(UInt8(carry & 0xFF)); carry >>= 8 }
        }
        mag.append(0)  // room for the sign bit
        if negative {
            var carry = 1
            for i in mag.indices {
                let v = Int(~mag[i]) + carry
                mag[i] = UInt8(v & 0xFF); carry = v >> 8
            }
        }
        self.init(littleEndianBytes: mag)
    }

    public var isNegative: Bool { (littleEndianBytes.last ?? 0) & 0x80 != 0 }

    /// Decimal digits (with a leading "-" if negative).
    public var description: String {
        // Work on the magnitude, base 2^32 limbs, repeatedly dividing by 10^9.
        var bytes = littleEndianBytes
        let negative = isNegative
        if negative {  // two's complement -> magnitude
            var carry = 1
            for i in bytes.indices {
                let v = Int(~bytes[i]) + carry
                bytes[i] = UInt8(v & 0xFF); carry = v >> 8
            }
        }
        var limbs: [UInt32] = stride(from: 0, to: bytes.count, by: 4).map { i in
            (0..<4).reduce(UInt32(0)) { acc, k in i + k < bytes.count ? acc | UInt32(bytes[i + k]) << (8 * UInt32(k)) : acc }
        }
        while limbs.last == 0 { limbs.removeLast() }
        if limbs.isEmpty { return "0" }
        var chunks: [UInt32] = []
        while !limbs.isEmpty {
            var rem: UInt64 = 0
            for i in stride(from: limbs.count - 1, through: 0, by: -1) {
                let cur = rem << 32 | UInt64(limbs[i])
                limbs[i] = UInt32(cur / 1_000_000_000)
                rem = cur % 1_000_000_000
            }
            chunks.append(UInt32(rem))
            while limbs.last == 0 { limbs.removeLast() }
        }
        var s = String(chunks.last!)
        for c in chunks.dropLast().reversed() {
            let d = String(c)
            s += String(repeating: "0", count: 9 - d.count) + d
        }
        return (negative ? "-" : "") + s
    }
}

/// A Python list. Read-only outside the unpickler.
public final class PickleList: @unchecked Sendable {
    public internal(set) var items: [PickleValue]
    var meta = NodeMeta()
    init(_ items: [PickleValue] = []) { self.items = items }
}

/// A Python dict or OrderedDict: insertion-ordered, any hashable keys. Read-only outside the unpickler.
public final class PickleDict: @unchecked Sendable {
    public internal(set) var keys: [PickleValue] = []
    public internal(set) var values: [PickleValue] = []
    /// True for `collections.OrderedDict`.
    public let isOrdered: Bool
    /// BUILD state applied to the dict (torch: `{'_metadata': ...}` of a state_dict), if any.
    public internal(set) var state: PickleValue?
    var meta = NodeMeta()
    /// Hash index of a large dict, built on its first lookup (most dicts of a big file are
    /// only iterated or dropped, never looked up). Guarded by `indexLock`.
    private var index: [PickleValue: Int]?
    private static let indexThreshold = 16
    private static let indexLock = Mutex()

    init(ordered: Bool = false) { isOrdered = ordered }

    public var count: Int { keys.count }
    public var items: Zip2Sequence<[PickleValue], [PickleValue]> { zip(keys, values) }

    /// The value of `key` (the last one, should a hostile pickle repeat a key).
    public subscript(key: PickleValue) -> PickleValue? {
        guard keys.count > PickleDict.indexThreshold else {
            guard let i = keys.lastIndex(of: key) else { return nil }
            return values[i]
        }
        let i: Int? = PickleDict.indexLock.withLock {
            if index == nil {
                var idx = [PickleValue: Int](minimumCapacity: keys.count)
                for (i, k) in keys.enumerated() { idx[k] = i }
                index = idx
            }
            return index![key]
        }
        return i.map { values[$0] }
    }

    /// Appends during unpickling. Picklers never repeat a key within a dict, so no
    /// duplicate check is made (lookups return the last value, as Python would).
    func append(_ key: PickleValue, _ value: PickleValue) {
        keys.append(key)
        values.append(value)
    }

    /// Python semantics: setting an existing key replaces its value in place (for building values to write).
    func set(_ key: PickleValue, _ value: PickleValue) {
        if let i = keys.lastIndex(of: key) {
            values[i] = value
        } else {
            keys.append(key)
            values.append(value)
        }
        index = nil
    }

    /// Called once the dict is complete (kept for the bookkeeping; the index is lazy).
    func finish() {}
}

/// A Python set or frozenset. Read-only outside the unpickler.
public final class PickleSet: @unchecked Sendable {
    public internal(set) var items: [PickleValue]
    public let isFrozen: Bool
    var meta = NodeMeta()
    init(_ items: [PickleValue], frozen: Bool) {
        var seen = Set<PickleValue>()
        self.items = items.filter { seen.insert($0).inserted }
        self.isFrozen = frozen
    }
    func add(_ more: [PickleValue]) {
        var seen = Set(items)
        for v in more where seen.insert(v).inserted { items.append(v) }
    }
}

/// An object of an allowed class nasdata does not model (never constructed, only described).
public final class PickleObject: @unchecked Sendable {
    public let module: String
    public let name: String
    public let args: [PickleValue]
    public internal(set) var state: PickleValue?
    var meta = NodeMeta()
    init(module: String, name: String, args: [PickleValue]) {
        self.module = module; self.name = name; self.args = args
    }
    public var qualifiedName: String { module + "." + name }
}

extension PickleValue {
    /// The reference-type container behind this value, if it is one.
    var box: AnyObject? {
        switch self {
        case .list(let l): return l
        case .dict(let d): return d
        case .set(let s): return s
        case .object(let o): return o
        default: return nil
        }
    }
}

/// Bookkeeping of a mutable node during unpickling: its memo slot (so the streaming
/// hook can release it), its nesting depth, and whether it was already placed into
/// a parent (after which Python's pickler never mutates it; a pickle that does is
/// building a cycle, which is refused).
struct NodeMeta {
    var memoSlot: Int = -1
    var depth: Int = 1
    /// Nodes in the subtree, counting shared references each time they occur.
    var size: Int = 1
    var sealed = false
}

// MARK: - Hashing (dict keys and sets)

extension PickleValue: Hashable {
    /// Structural equality for immutable values (numbers, strings, bytes, tuples, ...);
    /// identity for containers, as Python compares unhashable containers never and
    /// objects by identity by default.
    public static func == (a: PickleValue, b: PickleValue) -> Bool {
        switch (a, b) {
        case (.none, .none): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.bigInt(x), .bigInt(y)): return x == y
        case let (.float(x), .float(y)): return x == y || (x.isNaN && y.isNaN)
        case let (.string(x), .string(y)): return x == y
        case let (.bytes(x), .bytes(y)): return x == y
        case let (.tuple(x), .tuple(y)): return x == y
        case let (.list(x), .list(y)): return x === y
        case let (.dict(x), .dict(y)): return x === y
        case let (.set(x), .set(y)): return x === y
        case let (.object(x), .object(y)): return x === y
        case let (.storage(x), .storage(y)): return x === y
        case let (.ndarray(x), .ndarray(y)): return x === y
        case let (.numpyDType(x), .numpyDType(y)): return x === y
        case let (.tensor(x), .tensor(y)): return x == y
        case let (.numpyScalar(x), .numpyScalar(y)): return x == y
        case let (.global(m1, n1), .global(m2, n2)): return m1 == m2 && n1 == n2
        default: return false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .none: h.combine(0)
        case .bool(let v): h.combine(1); h.combine(v)
        case .int(let v): h.combine(2); h.combine(v)
        case .bigInt(let v): h.combine(3); h.combine(v)
        case .float(let v): h.combine(4); h.combine(v.isNaN ? Double.nan.bitPattern : v.bitPattern)
        case .string(let v): h.combine(5); h.combine(v)
        case .bytes(let v): h.combine(6); h.combine(v)
        case .tuple(let v): h.combine(7); h.combine(v)
        case .list(let v): h.combine(ObjectIdentifier(v))
        case .dict(let v): h.combine(ObjectIdentifier(v))
        case .set(let v): h.combine(ObjectIdentifier(v))
        case .object(let v): h.combine(ObjectIdentifier(v))
        case .storage(let v): h.combine(ObjectIdentifier(v))
        case .ndarray(let v): h.combine(ObjectIdentifier(v))
        case .numpyDType(let v): h.combine(ObjectIdentifier(v))
        case .tensor(let v): h.combine(8); h.combine(v.shape)
        case .numpyScalar(let v): h.combine(9); h.combine(v.bytes)
        case .global(let m, let n): h.combine(10); h.combine(m); h.combine(n)
        }
    }
}

// MARK: - Literals, so keys read naturally: v["name"], v[777], v[("cifar10", 777)]

extension PickleValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .none }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex (no Foundation in this module).
final class Mutex: @unchecked Sendable {
    private let m: UnsafeMutablePointer<pthread_mutex_t>
    init() {
        m = .allocate(capacity: 1)
        m.initialize(to: pthread_mutex_t())
        pthread_mutex_init(m, nil)
    }
    deinit { pthread_mutex_destroy(m); m.deallocate() }
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(m)
        defer { pthread_mutex_unlock(m) }
        return try body()
    }
}
