import Tensors

/// A small protocol-2 pickler for plain data, readable by Python's `pickle.load`:
/// None, bool, int (any size up to 64 bits), float, str, bytes, list, tuple, dict,
/// and numpy arrays (as numpy pickles them: `numpy.core.multiarray._reconstruct`
/// + BUILD). Bytes are written the way Python 3 does at protocol 2
/// (`_codecs.encode(latin-1 text, 'latin1')`), so `pickle.load` needs no `encoding=`.
///
///     var w = PickleWriter()
///     try w.dump(.dict(...))            // or the low-level emitters
///     let bytes = w.bytes
///
/// The low-level emitters (`global`, `mark`, `tuple`, `reduce`, ...) are public so
/// that format writers (torch's data.pkl) can produce exactly the opcodes they need.
/// No memo is written (every value is written in full), except that globals and
/// dtypes are repeated as needed; Python reads that the same.
public struct PickleWriter {
    public private(set) var bytes: [UInt8] = []
    /// Module holding `_reconstruct` and `scalar` (`numpy.core.multiarray` is what
    /// numpy 1.x writes and numpy 2.x still reads).
    public var numpyModule = "numpy.core.multiarray"

    public init(protocol: UInt8 = 2) {
        bytes = [0x80, `protocol`]
    }

    /// Writes `value` and the final STOP.
    public mutating func dump(_ value: PickleValue) throws {
        try write(value)
        stop()
    }

    public mutating func stop() { bytes.append(Op.stop) }
    public mutating func mark() { bytes.append(Op.mark) }
    public mutating func none() { bytes.append(Op.none) }
    public mutating func bool(_ b: Bool) { bytes.append(b ? Op.newtrue : Op.newfalse) }
    public mutating func emptyTuple() { bytes.append(Op.emptyTuple) }
    public mutating func emptyDict() { bytes.append(Op.emptyDict) }
    public mutating func emptyList() { bytes.append(Op.emptyList) }
    public mutating func reduce() { bytes.append(Op.reduce) }
    public mutating func build() { bytes.append(Op.build) }
    public mutating func binpersid() { bytes.append(Op.binpersid) }
    public mutating func setitems() { bytes.append(Op.setitems) }
    public mutating func appends() { bytes.append(Op.appends) }
    public mutating func append() { bytes.append(Op.append) }
    public mutating func pop() { bytes.append(Op.pop) }
    /// LONG_BINPUT: stores the top of the stack in memo slot `index`.
    public mutating func memoPut(_ index: UInt32) {
        bytes.append(Op.longBinput)
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: index >> (8 * UInt32(i)))) }
    }
    /// LONG_BINGET: pushes memo slot `index`.
    public mutating func memoGet(_ index: UInt32) {
        bytes.append(Op.longBinget)
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: index >> (8 * UInt32(i)))) }
    }
    /// TUPLE of everything since the last `mark()`.
    public mutating func tupleFromMark() { bytes.append(Op.tuple) }

    public mutating func int(_ v: Int) {
        if v >= 0 && v < 256 {
            bytes += [Op.binint1, UInt8(v)]
        } else if v >= 0 && v < 65536 {
            bytes += [Op.binint2, UInt8(v & 0xFF), UInt8(v >> 8)]
        } else if v >= Int(Int32.min) && v <= Int(Int32.max) {
            bytes.append(Op.binint)
            let u = UInt32(bitPattern: Int32(v))
            for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: u >> (8 * UInt32(i)))) }
        } else {
            bytes += [Op.long1, 8]
            let u = UInt64(bitPattern: Int64(v))
            for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: u >> (8 * UInt64(i)))) }
        }
    }

    public mutating func float(_ d: Double) {
        bytes.append(Op.binfloat)
        let u = d.bitPattern
        for i in (0..<8).reversed() { bytes.append(UInt8(truncatingIfNeeded: u >> (8 * UInt64(i)))) }
    }

    public mutating func string(_ s: String) {
        let u = Array(s.utf8)
        bytes.append(Op.binunicode)
        let n = UInt32(u.count)
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: n >> (8 * UInt32(i)))) }
        bytes += u
    }

    /// bytes, as Python 3 writes them at protocol 2.
    public mutating func bytesValue(_ b: [UInt8]) {
        global("_codecs", "encode")
        mark()
        string(String(latin1: b))
        string("latin1")
        tupleFromMark()
        reduce()
    }

    public mutating func global(_ module: String, _ name: String) {
        bytes.append(Op.global)
        bytes += Array(module.utf8) + [0x0A] + Array(name.utf8) + [0x0A]
    }

    /// A numpy dtype object: `numpy.dtype(descr-without-order, False, True)` + BUILD (byte order).
    public mutating func numpyDType(_ dt: NumpyDType) {
        global("numpy", "dtype")
        mark()
        string(String(dt.kind) + String(dt.itemSize))
        bool(false)
        bool(true)
        tupleFromMark()
        reduce()
        mark()
        int(3)
        string(dt.itemSize == 1 ? "|" : (dt.isLittleEndian ? "<" : ">"))
        none(); none(); none()
        int(-1); int(-1); int(0)
        tupleFromMark()
        build()
    }

    public mutating func ndarray(_ a: NDArray) {
        global(numpyModule, "_reconstruct")
        mark()
        global("numpy", "ndarray")
        mark(); int(0); tupleFromMark()
        bytesValue([UInt8(ascii: "b")])
        tupleFromMark()
        reduce()
        mark()
        int(1)
        mark(); for d in a.shape { int(d) }; tupleFromMark()
        numpyDType(a.dtype)
        bool(a.isFortranOrder)
        bytesValue(a.data)
        tupleFromMark()
        build()
    }

    public mutating func write(_ value: PickleValue, depth: Int = 0) throws {
        guard depth < 200 else { throw PickleError(path: "<writer>", offset: Int64(bytes.count), reason: .tooDeep(200)) }
        switch value {
        case .none: none()
        case .bool(let b): bool(b)
        case .int(let i): int(i)
        case .bigInt(let b):
            bytes.append(Op.long4)
            let n = UInt32(b.littleEndianBytes.count)
            for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: n >> (8 * UInt32(i)))) }
            bytes += b.littleEndianBytes
        case .float(let d): float(d)
        case .string(let s): string(s)
        case .bytes(let b): bytesValue(b)
        case .tuple(let t):
            mark(); for x in t { try write(x, depth: depth + 1) }; tupleFromMark()
        case .list(let l):
            emptyList()
            for chunk in stride(from: 0, to: l.items.count, by: 1000) {
                mark()
                for x in l.items[chunk..<min(chunk + 1000, l.items.count)] { try write(x, depth: depth + 1) }
                appends()
            }
        case .dict(let d):
            if d.isOrdered { global("collections", "OrderedDict"); emptyTuple(); reduce() } else { emptyDict() }
            for chunk in stride(from: 0, to: d.count, by: 1000) {
                mark()
                for i in chunk..<min(chunk + 1000, d.count) {
                    try write(d.keys[i], depth: depth + 1)
                    try write(d.values[i], depth: depth + 1)
                }
                setitems()
            }
        case .set(let s):
            global("builtins", s.isFrozen ? "frozenset" : "set")
            mark(); emptyList(); mark(); for x in s.items { try write(x, depth: depth + 1) }; appends(); tupleFromMark()
            reduce()
        case .ndarray(let a): ndarray(a)
        case .numpyScalar(let s):
            global(numpyModule, "scalar")
            mark(); numpyDType(s.dtype); bytesValue(s.bytes); tupleFromMark(); reduce()
        case .numpyDType(let dt): numpyDType(dt)
        case .global(let m, let n): global(m, n)
        case .tensor, .storage, .object:
            throw PickleError(path: "<writer>", offset: Int64(bytes.count),
                              reason: .malformed("PickleWriter cannot write \(value.typeName) (use TorchSave for tensors)"))
        }
    }
}

extension PickleValue {
    /// Builds a dict value (for writing) from ordered pairs.
    public static func makeDict(_ pairs: [(PickleValue, PickleValue)], ordered: Bool = false) -> PickleValue {
        let d = PickleDict(ordered: ordered)
        for (k, v) in pairs { d.set(k, v) }
        d.finish()
        return .dict(d)
    }

    /// Builds a list value (for writing).
    public static func makeList(_ items: [PickleValue]) -> PickleValue { .list(PickleList(items)) }

    /// Builds a set value (for writing).
    public static func makeSet(_ items: [PickleValue], frozen: Bool = false) -> PickleValue {
        .set(PickleSet(items, frozen: frozen))
    }
}
