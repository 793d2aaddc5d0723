import NASDataIO
import Pickle
import Tensors

/// numpy's `.npy` format (versions 1.0, 2.0, 3.0): magic, a Python-literal header
/// dict (`descr`, `fortran_order`, `shape`), then the raw data.
///
///     let t = try NPY.read(path: "x.npy")          // C-ordered little-endian Tensor
///     let a = try NPY.readArray(path: "x.npy")     // as stored (any numeric dtype, order)
///     try NPY.write(t, to: "y.npy")                // version 1.0, C order, little-endian
public enum NPY {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    public static func read(path: String) throws -> Tensor {
        do { return try readArray(path: path).tensor() } catch let e as PickleError {
            throw IOError.malformed(path: path, offset: nil, reason: e.description)
        }
    }

    public static func readArray(path: String) throws -> NDArray {
        let f = try RandomAccessFile(path: path)
        return try parse(size: f.size, path: path) { try f.read(at: $0, count: $1, what: $2) }
    }

    /// A `.npy` held in memory (an entry of a `.npz`); `name` is what errors call it,
    /// e.g. `"x.npz: data.npy"`.
    public static func readArray(bytes: [UInt8], name: String) throws -> NDArray {
        try parse(size: Int64(bytes.count), path: name) { offset, count, _ in Array(bytes[Int(offset)..<Int(offset) + count]) }
    }

    /// The format over any source of bytes: `read(offset, count, what)` returns exactly `count`
    /// bytes (callers check `size` first).
    private static func parse(size: Int64, path: String, read: (Int64, Int, String) throws -> [UInt8]) throws -> NDArray {
        let h = try parseHeader(size: size, path: path, read: read)
        let data = try read(h.dataStart, h.dataBytes, "npy data")
        return NDArray(dtype: h.dtype, shape: h.shape, fortranOrder: h.fortranOrder, data: data)
    }

    /// What a `.npy` header says, and where its data lies.
    struct Header {
        let dtype: NumpyDType
        let descr: String
        let shape: [Int]
        let fortranOrder: Bool
        let dataStart: Int64
        let dataBytes: Int
    }

    /// Checks a `.npy` file's structure without reading its data: magic, version, header
    /// dict, and a size of exactly header + shape x itemsize (bytes after the array are an
    /// error; the format defines none). Returns shape, descr and the data size.
    public static func verify(path: String) throws -> (shape: [Int], descr: String, dataBytes: Int) {
        let f = try RandomAccessFile(path: path)
        let h = try parseHeader(size: f.size, path: path) { try f.read(at: $0, count: $1, what: $2) }
        let end = h.dataStart + Int64(h.dataBytes)
        guard f.size == end else {
            throw IOError.malformed(path: path, offset: end,
                                    reason: "\(f.size - end) byte(s) after the array data (shape \(h.shape) of \(h.descr) ends at byte \(end))")
        }
        return (h.shape, h.descr, h.dataBytes)
    }

    private static func parseHeader(size: Int64, path: String, read: (Int64, Int, String) throws -> [UInt8]) throws -> Header {
        let f = (size: size, read: read)
        let head = try f.read(0, Int(min(f.size, 12)), "npy header")
        guard head.count >= 10, Array(head[0..<6]) == magic else {
            throw IOError.malformed(path: path, offset: 0, reason: "not a .npy file (bad magic)")
        }
        let major = head[6]
        let headerLength: Int, headerStart: Int64
        switch major {
        case 1: headerLength = Int(readLE(head, 8, as: UInt16.self)); headerStart = 10
        case 2, 3:
            guard head.count >= 12 else { throw IOError.truncated(path: path, offset: Int64(head.count), reason: "npy header") }
            headerLength = Int(readLE(head, 8, as: UInt32.self)); headerStart = 12
        default: throw IOError.malformed(path: path, offset: 6, reason: "unsupported .npy version \(major).\(head[7])")
        }
        guard headerLength <= 1 << 20 else { throw IOError.malformed(path: path, offset: 8, reason: "header of \(headerLength) bytes") }
        guard Int64(headerLength) <= f.size - headerStart else {
            throw IOError.truncated(path: path, offset: f.size, reason: "npy header of \(headerLength) bytes runs past the end")
        }
        let header = String(decoding: try f.read(headerStart, headerLength, "npy header"), as: UTF8.self)
        func bad(_ why: String) -> IOError { .malformed(path: path, offset: headerStart, reason: "npy header: \(why)") }
        guard let descr = field(header, "descr").flatMap(quoted), let dtype = NumpyDType(descr: descr) else {
            throw bad("missing or unsupported descr in \(header)")
        }
        guard let fortranText = field(header, "fortran_order") else { throw bad("missing fortran_order") }
        guard let shapeText = field(header, "shape"), shapeText.first == "(", let close = shapeText.firstIndex(of: ")") else {
            throw bad("missing shape")
        }
        let dims = shapeText[shapeText.index(after: shapeText.startIndex)..<close]
            .split(separator: ",").map { $0.trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
        let shape = dims.compactMap { Int($0) }
        guard shape.count == dims.count, shape.allSatisfy({ $0 >= 0 }) else { throw bad("bad shape \(shapeText)") }
        let dataStart = headerStart + Int64(headerLength)
        var count = 1
        for d in shape {
            let (p, o) = count.multipliedReportingOverflow(by: d)
            guard !o else { throw bad("shape \(shape) overflows") }
            count = p
        }
        let (bytes, o) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !o, Int64(bytes) <= f.size - dataStart else {
            // (`bytes` overflowed when `o`: say so instead of computing it again.)
            let needed = o ? "more than \(Int.max)" : "\(bytes)"
            throw IOError.truncated(path: path, offset: f.size, reason: "shape \(shape) of \(descr) needs \(needed) data bytes, \(f.size - dataStart) present")
        }
        return Header(dtype: dtype, descr: descr, shape: shape, fortranOrder: fortranText.hasPrefix("True"),
                      dataStart: dataStart, dataBytes: bytes)
    }

    public static func write(_ tensor: Tensor, to path: String) throws {
        guard let descr = tensor.dtype.numpyDescr else {
            throw IOError.malformed(path: path, offset: nil, reason: "numpy has no \(tensor.dtype) dtype")
        }
        let shape = tensor.shape.isEmpty ? "()" : tensor.shape.count == 1 ? "(\(tensor.shape[0]),)"
            : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var out = magic + [1, 0]
        appendLE(&out, UInt16(header.utf8.count))
        out += Array(header.utf8)
        try AtomicOutput.write(to: path) { temp in
            try writeFile(temp, [out, tensor.bytes])
        }
    }

    /// The text after `'key':` up to the next top-level comma (tuples kept whole).
    static func field(_ header: String, _ key: String) -> String? {
        guard let r = header.range(of: "'\(key)':") ?? header.range(of: "\"\(key)\":") else { return nil }
        var depth = 0
        var out = ""
        for c in header[r.upperBound...] {
            if c == "(" { depth += 1 }
            if c == ")" { depth -= 1 }
            if (c == "," && depth == 0) || c == "}" { break }
            out.append(c)
        }
        return out.trimmingCharacters(in: " ")
    }

    static func quoted(_ s: String) -> String? {
        guard s.count >= 2, let q = s.first, q == "'" || q == "\"", s.last == q else { return nil }
        return String(s.dropFirst().dropLast())
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
