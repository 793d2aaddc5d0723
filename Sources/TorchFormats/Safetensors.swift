import Foundation
import NASDataIO
import Tensors

/// The safetensors format: an 8-byte little-endian header length, a JSON header
/// (`name: {dtype, shape, data_offsets}` plus an optional `__metadata__` of
/// strings), then the tensors' bytes back to back.
///
///     let (sd, metadata) = try Safetensors.read(path: "w.safetensors")
///     try Safetensors.write(sd, metadata: ["format": "pt"], to: "w.safetensors")
///
/// Tensors come back in the order of their data (what `safe_open().keys()` sorts by
/// name; the file order is the writer's). The writer keeps StateDict order.
public enum Safetensors {
    static let maxHeader = 100 << 20

    public static func read(path: String) throws -> (StateDict, metadata: [String: String]) {
        let (index, metadata) = try Safetensors.index(path: path)
        var sd = StateDict()
        for e in index.entries {
            let bytes = try index.file.read(at: index.offsets[e.name]!, count: e.end - e.begin, what: "tensor '\(e.name)'")
            sd[e.name] = Tensor(dtype: e.dtype, shape: e.shape, bytes: bytes)
        }
        return (sd, metadata)
    }

    struct Index {
        let file: RandomAccessFile
        let entries: [(name: String, dtype: DType, shape: [Int], begin: Int, end: Int)]
        /// Absolute file offset of each tensor's data.
        let offsets: [String: Int64]
        /// Absolute file offset of the data section (after the header).
        let dataStart: Int64
    }

    /// The file's `__metadata__` (header only; no tensor data read).
    public static func metadata(path: String) throws -> [String: String] {
        try index(path: path).metadata
    }

    /// Parses and validates the header (no tensor data read).
    static func index(path: String) throws -> (Index, metadata: [String: String]) {
        let f = try RandomAccessFile(path: path)
        let lenBytes = try f.read(at: 0, count: Int(min(f.size, 8)), what: "safetensors header length")
        guard lenBytes.count == 8 else { throw IOError.truncated(path: path, offset: f.size, reason: "no header length") }
        let n = readLE(lenBytes, 0, as: UInt64.self)
        guard n <= UInt64(maxHeader), Int64(n) <= f.size - 8 else {
            throw IOError.malformed(path: path, offset: 0, reason: "header length \(n) exceeds the file or the 100 MB limit")
        }
        let headerBytes = try f.read(at: 8, count: Int(n), what: "safetensors header")
        guard let json = try? JSONSerialization.jsonObject(with: Data(headerBytes)), let header = json as? [String: Any] else {
            throw IOError.malformed(path: path, offset: 8, reason: "header is not a JSON object")
        }
        let dataStart = 8 + Int64(n)
        let dataSize = f.size - dataStart
        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: DType, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in header {
            func bad(_ why: String) -> IOError { .malformed(path: path, offset: 8, reason: "tensor '\(name)': \(why)") }
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw bad("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw bad("metadata value of '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let d = value as? [String: Any], let dn = d["dtype"] as? String, let shapeAny = d["shape"] as? [Any],
                  let offsAny = d["data_offsets"] as? [Any], offsAny.count == 2 else { throw bad("missing dtype, shape or data_offsets") }
            guard let dtype = DType(safetensorsName: dn) else { throw bad("unsupported dtype \(dn)") }
            let shape = shapeAny.compactMap { ($0 as? NSNumber)?.intValue }
            let offs = offsAny.compactMap { ($0 as? NSNumber)?.intValue }
            guard shape.count == shapeAny.count, shape.allSatisfy({ $0 >= 0 }), offs.count == 2 else { throw bad("bad shape or offsets") }
            var count = 1
            for s in shape {
                let (p, o) = count.multipliedReportingOverflow(by: s)
                guard !o else { throw bad("shape overflows") }
                count = p
            }
            guard offs[0] >= 0, offs[1] >= offs[0], Int64(offs[1]) <= dataSize,
                  offs[1] - offs[0] == count * dtype.byteSize else {
                throw bad("data_offsets \(offs) do not hold \(count) \(dn) elements within \(dataSize) data bytes")
            }
            entries.append((name, dtype, shape, offs[0], offs[1]))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var expected = 0
        for e in entries {
            guard e.begin == expected else {
                throw IOError.malformed(path: path, offset: dataStart + Int64(e.begin),
                                        reason: "tensor '\(e.name)' starts at data byte \(e.begin), expected \(expected) (gap or overlap)")
            }
            expected = e.end
        }
        let offsets = Dictionary(entries.map { ($0.name, dataStart + Int64($0.begin)) }, uniquingKeysWith: { a, _ in a })
        return (Index(file: f, entries: entries, offsets: offsets, dataStart: dataStart), metadata)
    }

    public static func write(_ sd: StateDict, metadata: [String: String] = [:], to path: String) throws {
        var parts: [String] = []
        if !metadata.isEmpty {
            let m = metadata.keys.sorted().map { "\(JSONString.quote($0)):\(JSONString.quote(metadata[$0]!))" }
            parts.append("\"__metadata__\":{" + m.joined(separator: ",") + "}")
        }
        var offset = 0
        for (name, t) in sd.entries {
            let end = offset + t.bytes.count
            parts.append("\(JSONString.quote(name)):{\"dtype\":\"\(t.dtype.safetensorsName)\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array(("{" + parts.joined(separator: ",") + "}").utf8)
        header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
        var len: [UInt8] = []
        appendLE(&len, UInt64(header.count))
        try AtomicOutput.write(to: path) { temp in
            try writeFile(temp, [len, header] + sd.entries.map(\.tensor.bytes))
        }
    }
}
