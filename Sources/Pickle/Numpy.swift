import Tensors

/// A numpy dtype of a plain (non-structured) kind: `kind` is numpy's one-letter code
/// (`f` float, `i` signed, `u` unsigned, `b` bool, `c` complex), `itemSize` its bytes.
/// A class because a pickle builds it in two steps (REDUCE, then BUILD sets the byte order).
public final class NumpyDType: @unchecked Sendable, CustomStringConvertible {
    public private(set) var kind: Character
    public private(set) var itemSize: Int
    /// True unless the pickle or header says `>`.
    public internal(set) var isLittleEndian: Bool = true

    public init(kind: Character, itemSize: Int, littleEndian: Bool = true) {
        self.kind = kind; self.itemSize = itemSize; self.isLittleEndian = littleEndian
    }

    /// Parses numpy type strings: `f8`, `<f4`, `|u1`, `>i2`, `b1`, `?`, `float64`, `uint8`, ...
    public convenience init?(descr: String) {
        var s = Substring(descr)
        var little = true
        if let c = s.first, "<>|=".contains(c) { little = c != ">"; s = s.dropFirst() }
        let names: [String: (Character, Int)] = [
            "float64": ("f", 8), "float32": ("f", 4), "float16": ("f", 2), "int64": ("i", 8), "int32": ("i", 4),
            "int16": ("i", 2), "int8": ("i", 1), "uint64": ("u", 8), "uint32": ("u", 4), "uint16": ("u", 2),
            "uint8": ("u", 1), "bool": ("b", 1), "?": ("b", 1), "complex128": ("c", 16), "complex64": ("c", 8),
            "d": ("f", 8), "f": ("f", 4), "e": ("f", 2), "q": ("i", 8), "l": ("i", 8), "i": ("i", 4), "h": ("i", 2),
            "b": ("i", 1), "Q": ("u", 8), "L": ("u", 8), "I": ("u", 4), "H": ("u", 2), "B": ("u", 1),
        ]
        if let (k, n) = names[String(s)] { self.init(kind: k, itemSize: n, littleEndian: little); return }
        guard let k = s.first, "fiubc".contains(k), let n = Int(s.dropFirst()), [1, 2, 4, 8, 16].contains(n) else {
            return nil
        }
        self.init(kind: k, itemSize: n, littleEndian: little || n == 1)
    }

    public convenience init(_ dtype: DType) {
        switch dtype {
        case .bfloat16: self.init(kind: "V", itemSize: 2)  // numpy has no bfloat16
        case .bool: self.init(kind: "b", itemSize: 1)
        default:
            self.init(descr: dtype.numpyDescr!)!
        }
    }

    /// `<f8`, `|u1`, `>i4` ...
    public var descr: String {
        (itemSize == 1 ? "|" : (isLittleEndian ? "<" : ">")) + String(kind) + String(itemSize)
    }

    /// numpy's name: `float64`, `uint8`, `bool`, ...
    public var name: String {
        switch kind {
        case "f": return "float\(itemSize * 8)"
        case "i": return "int\(itemSize * 8)"
        case "u": return "uint\(itemSize * 8)"
        case "b": return "bool"
        case "c": return "complex\(itemSize * 8)"
        default: return descr
        }
    }

    /// The matching tensor dtype, if `Tensors.DType` has one (not for uint16/32/64, complex).
    public var tensorDType: DType? {
        switch (kind, itemSize) {
        case ("f", 8): return .float64
        case ("f", 4): return .float32
        case ("f", 2): return .float16
        case ("i", 8): return .int64
        case ("i", 4): return .int32
        case ("i", 2): return .int16
        case ("i", 1): return .int8
        case ("u", 1): return .uint8
        case ("b", 1): return .bool
        default: return nil
        }
    }

    public var description: String { "dtype('\(name)')" }
}

/// A numpy ndarray: dtype, shape, memory order and its raw bytes exactly as stored.
/// A class because a pickle builds it in two steps (`_reconstruct`, then BUILD).
public final class NDArray: @unchecked Sendable {
    public internal(set) var dtype: NumpyDType
    public internal(set) var shape: [Int]
    public internal(set) var isFortranOrder: Bool
    /// `elementCount * itemSize` bytes in the array's own byte order and memory order.
    public internal(set) var data: [UInt8]
    /// False until a pickle's BUILD filled it in.
    public internal(set) var isBuilt: Bool

    public init(dtype: NumpyDType, shape: [Int], fortranOrder: Bool = false, data: [UInt8]) {
        self.dtype = dtype; self.shape = shape; self.isFortranOrder = fortranOrder; self.data = data
        self.isBuilt = true
    }

    /// A C-ordered little-endian array holding `tensor`'s bytes.
    public convenience init(_ tensor: Tensor) {
        self.init(dtype: NumpyDType(tensor.dtype), shape: tensor.shape, data: tensor.bytes)
    }

    init(placeholder: Void) {
        dtype = NumpyDType(kind: "u", itemSize: 1); shape = [0]; isFortranOrder = false; data = []; isBuilt = false
    }

    public var elementCount: Int { shape.reduce(1, *) }

    /// The array as a C-ordered little-endian tensor (byte-swapped and transposed as needed).
    /// Throws for dtypes `Tensors.DType` lacks (uint16/32/64, complex).
    public func tensor() throws -> Tensor {
        guard let dt = dtype.tensorDType else {
            throw PickleError(path: "<ndarray>", offset: 0,
                              reason: .malformed("numpy dtype \(dtype.descr) has no tensor dtype"))
        }
        var bytes = data
        if !dtype.isLittleEndian && dtype.itemSize > 1 { bytes = Strided.byteSwapped(bytes, itemSize: dtype.itemSize) }
        if isFortranOrder && shape.count > 1 {
            var strides = [Int](repeating: 1, count: shape.count)
            for k in 1..<shape.count { strides[k] = strides[k - 1] * shape[k - 1] }
            bytes = Strided.gather(bytes, itemSize: dt.byteSize, shape: shape, strides: strides, offset: 0)
        }
        return Tensor(dtype: dt, shape: shape, bytes: bytes)
    }

    /// Applies numpy's `__setstate__` tuple: (version, shape, dtype, is_fortran, data).
    func build(_ state: PickleValue, reader: ByteReader) throws {
        func bad(_ why: String) -> PickleError { reader.error(.malformed("ndarray BUILD: \(why)")) }
        guard var items = state.tuple else { throw bad("state is \(state.typeName), not a tuple") }
        if items.count == 5 { items.removeFirst() }  // drop the version
        guard items.count == 4 else { throw bad("state has \(items.count) items") }
        guard let dims = items[0].list, let shape = Optional(dims.compactMap(\.int)), shape.count == dims.count,
              shape.allSatisfy({ $0 >= 0 }) else { throw bad("shape is not a tuple of integers") }
        guard case .numpyDType(let dt) = items[1] else { throw bad("dtype is \(items[1].typeName)") }
        guard let fortran = items[2].bool ?? items[2].int.map({ $0 != 0 }) else { throw bad("is_fortran is not a bool") }
        guard let raw = items[3].bytes else {
            throw bad("data is \(items[3].typeName) (object arrays are not supported)")
        }
        let (count, overflow) = shape.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d); return (p, acc.1 || o)
        }
        guard !overflow, count.multipliedReportingOverflow(by: dt.itemSize).overflow == false,
              raw.count == count * dt.itemSize else {
            throw bad("\(raw.count) data bytes for shape \(shape) of \(dt.descr)")
        }
        self.dtype = dt; self.shape = shape; self.isFortranOrder = fortran; self.data = raw; self.isBuilt = true
    }
}

/// A numpy scalar (`np.float64(0.5)`, `np.int64(3)`): dtype plus its raw bytes.
public struct NumpyScalar: Equatable, Sendable {
    public let dtype: NumpyDType
    public let bytes: [UInt8]

    public init(dtype: NumpyDType, bytes: [UInt8]) { self.dtype = dtype; self.bytes = bytes }

    public static func == (a: NumpyScalar, b: NumpyScalar) -> Bool { a.dtype.descr == b.dtype.descr && a.bytes == b.bytes }

    private var littleEndianBytes: [UInt8] { dtype.isLittleEndian ? bytes : bytes.reversed() }

    private func load<T: FixedWidthInteger>(_: T.Type) -> T {
        littleEndianBytes.withUnsafeBytes { $0.loadUnaligned(as: T.self) }
    }

    /// The value as a Double for float, integer and bool kinds.
    public var doubleValue: Double? {
        guard bytes.count == dtype.itemSize else { return nil }
        switch (dtype.kind, dtype.itemSize) {
        case ("f", 8): return Double(bitPattern: load(UInt64.self))
        case ("f", 4): return Double(Float(bitPattern: load(UInt32.self)))
        case ("f", 2): return Double(Float(Float16(bitPattern: load(UInt16.self))))
        case ("i", _), ("u", _), ("b", _): return intValue.map(Double.init)
        default: return nil
        }
    }

    /// The value as an Int for integer and bool kinds (nil if a uint64 exceeds Int.max).
    public var intValue: Int? {
        guard bytes.count == dtype.itemSize else { return nil }
        switch (dtype.kind, dtype.itemSize) {
        case ("i", 8): return Int(load(Int64.self))
        case ("i", 4): return Int(load(Int32.self))
        case ("i", 2): return Int(load(Int16.self))
        case ("i", 1): return Int(load(Int8.self))
        case ("u", 8): return Int(exactly: load(UInt64.self))
        case ("u", 4): return Int(load(UInt32.self))
        case ("u", 2): return Int(load(UInt16.self))
        case ("u", 1), ("b", 1): return Int(bytes[0])
        default: return nil
        }
    }
}

/// Copying strided layouts into dense C order.
enum Strided {
    /// Gathers the elements of a strided view (strides in elements) into C order.
    static func gather(_ src: [UInt8], itemSize: Int, shape: [Int], strides: [Int], offset: Int) -> [UInt8] {
        let count = shape.reduce(1, *)
        var out = [UInt8](repeating: 0, count: count * itemSize)
        guard count > 0 else { return out }
        let rank = shape.count
        if rank == 0 {
            out.replaceSubrange(0..<itemSize, with: src[offset * itemSize..<(offset + 1) * itemSize])
            return out
        }
        src.withUnsafeBytes { s in
            out.withUnsafeMutableBytes { d in
                var index = [Int](repeating: 0, count: rank)
                var srcElem = offset
                let inner = shape[rank - 1], innerStride = strides[rank - 1]
                var o = 0
                while true {
                    var e = srcElem
                    for _ in 0..<inner {
                        memcpy(d.baseAddress! + o, s.baseAddress! + e * itemSize, itemSize)
                        o += itemSize
                        e += innerStride
                    }
                    // advance the outer index (odometer over dims 0..<rank-1)
                    var k = rank - 2
                    while k >= 0 {
                        index[k] += 1
                        srcElem += strides[k]
                        if index[k] < shape[k] { break }
                        srcElem -= strides[k] * shape[k]
                        index[k] = 0
                        k -= 1
                    }
                    if k < 0 { break }
                }
            }
        }
        return out
    }

    static func byteSwapped(_ bytes: [UInt8], itemSize: Int) -> [UInt8] {
        var out = bytes
        var i = 0
        while i + itemSize <= out.count {
            out[i..<i + itemSize].reverse()
            i += itemSize
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
