import NASDataIO
import Checksums
import Pickle
import Tensors

/// Renders a value tree as indented text or JSON, hashing tensors and arrays
/// (sha256 of their dense C-ordered little-endian bytes) so that two files can be
/// compared tensor by tensor. Output goes to `emit` in pieces (nothing scales with
/// the tree but the tensor list).
public struct TreeRenderer {
    /// Containers deeper than this are summarised (nil = no limit). The root is depth 0.
    public var maxDepth: Int?
    /// Items shown per container in text output (the rest are counted).
    public var maxItems = 10

    public init(maxDepth: Int? = nil) { self.maxDepth = maxDepth }

    /// One tensor or array found in the tree.
    public struct TensorInfo: Sendable {
        public let path: String
        public let dtype: String
        public let shape: [Int]
        public let sha256: String?
    }

    // MARK: - Tensors

    /// Every tensor and array in the tree, in order, with its digest.
    public func tensors(in value: PickleValue) throws -> [TensorInfo] {
        var out: [TensorInfo] = []
        try walk(value, path: "", depth: 0) { path, v in
            switch v {
            case .tensor(let t):
                out.append(TensorInfo(path: path, dtype: t.dtype.rawValue, shape: t.shape, sha256: try TreeRenderer.digest(t)))
            case .ndarray(let a):
                let sha = (try? a.tensor()).map { SHA256.hash($0.bytes).hex }
                out.append(TensorInfo(path: path, dtype: a.dtype.name, shape: a.shape, sha256: sha))
            default: break
            }
        }
        return out
    }

    private func walk(_ v: PickleValue, path: String, depth: Int, _ visit: (String, PickleValue) throws -> Void) throws {
        try visit(path, v)
        guard depth < 200 else { return }
        switch v {
        case .dict(let d):
            for (k, x) in d.items { try walk(x, path: path + "[" + k.shortDescription + "]", depth: depth + 1, visit) }
        case .list, .tuple, .set:
            for (i, x) in (v.list ?? []).enumerated() { try walk(x, path: path + "[\(i)]", depth: depth + 1, visit) }
        case .object(let o):
            for (i, x) in o.args.enumerated() { try walk(x, path: path + ".args[\(i)]", depth: depth + 1, visit) }
            if let s = o.state { try walk(s, path: path + ".state", depth: depth + 1, visit) }
        default: break
        }
    }

    /// sha256 of a tensor's dense bytes; contiguous tensors are hashed in 4 MiB reads.
    public static func digest(_ t: TorchTensor) throws -> String {
        guard t.isContiguous else { return SHA256.hash(try t.materialize().bytes).hex }
        let h = SHA256()
        let step = max(1, (4 << 20) / t.dtype.byteSize)
        var done = 0
        while done < t.elementCount {
            let n = min(step, t.elementCount - done)
            h.update(try t.storage.read(elementOffset: t.storageOffset + done, count: n))
            done += n
        }
        return h.finalize().hex
    }

    // MARK: - Text

    public func text(_ v: PickleValue, emit: (String) -> Void) {
        emit(summary(v) + "\n")
        textChildren(v, indent: "  ", depth: 1, emit: emit)
    }

    private func textChildren(_ v: PickleValue, indent: String, depth: Int, emit: (String) -> Void) {
        let children: [(String, PickleValue)]
        switch v {
        case .dict(let d): children = d.items.map { ($0.shortDescription, $1) }
        case .list, .tuple, .set: children = (v.list ?? []).enumerated().map { ("[\($0)]", $1) }
        case .object(let o):
            children = o.args.enumerated().map { ("arg \($0)", $1) } + (o.state.map { [("state", $0)] } ?? [])
        default: return
        }
        if let maxDepth, depth > maxDepth { return }
        for (label, child) in children.prefix(maxItems) {
            emit(indent + label + ": " + summary(child) + "\n")
            textChildren(child, indent: indent + "  ", depth: depth + 1, emit: emit)
        }
        if children.count > maxItems { emit(indent + "... (\(children.count - maxItems) more)\n") }
    }

    /// One line describing a node.
    public func summary(_ v: PickleValue) -> String {
        switch v {
        case .string(let s):
            let shown = s.count > 80 ? String(s.prefix(77)) + "..." : s
            return "'" + shown + "'" + (s.count > 80 ? " (\(s.count) chars)" : "")
        case .bytes(let b): return "bytes (\(b.count))"
        case .list(let l): return "list (\(l.items.count) items)"
        case .tuple(let t): return t.count <= 4 && t.allSatisfy(\.isScalarLeaf) ? v.shortDescription : "tuple (\(t.count) items)"
        case .dict(let d): return "\(v.typeName) (\(d.count) items)"
        case .set(let s): return "\(v.typeName) (\(s.items.count) items)"
        case .tensor(let t):
            return "tensor \(t.dtype.rawValue) \(t.shape) (storage '\(t.storage.key)', offset \(t.storageOffset)\(t.isContiguous ? "" : ", strides \(t.stride)"))"
        case .ndarray(let a):
            return "ndarray \(a.dtype.name) \(a.shape)\(a.isFortranOrder ? " (Fortran order)" : "")"
        case .object(let o): return "object \(o.qualifiedName)"
        default: return v.shortDescription
        }
    }

    // MARK: - JSON

    /// A JSON document: format, file, metadata, the tensor list and the tree.
    public func json(file: String, kind: AnyFile.Kind, value: PickleValue, metadata: [String: String],
                     emit: (String) -> Void) throws {
        let tensors = try self.tensors(in: value)
        var byPath: [String: TensorInfo] = [:]
        for t in tensors { byPath[t.path] = t }
        emit("{\"file\": \(JSONString.quote(file)), \"format\": \(JSONString.quote(kind.rawValue)),\n")
        emit(" \"metadata\": {" + metadata.keys.sorted().map { "\(JSONString.quote($0)): \(JSONString.quote(metadata[$0]!))" }
            .joined(separator: ", ") + "},\n")
        emit(" \"tensors\": [")
        for (i, t) in tensors.enumerated() {
            emit((i == 0 ? "\n  " : ",\n  ") + tensorJSON(t))
        }
        emit("],\n \"tree\": ")
        jsonNode(value, path: "", depth: 0, byPath: byPath, emit: emit)
        emit("}\n")
    }

    private func tensorJSON(_ t: TensorInfo) -> String {
        "{\"path\": \(JSONString.quote(t.path)), \"dtype\": \(JSONString.quote(t.dtype)), \"shape\": [\(t.shape.map(String.init).joined(separator: ", "))], \"sha256\": \(t.sha256.map(JSONString.quote) ?? "null")}"
    }

    private func jsonNode(_ v: PickleValue, path: String, depth: Int, byPath: [String: TensorInfo], emit: (String) -> Void) {
        let truncated = maxDepth.map { depth >= $0 } ?? false
        func items(_ kind: String, _ xs: [PickleValue]) {
            if truncated { emit("{\"type\": \"\(kind)\", \"length\": \(xs.count), \"truncated\": true}"); return }
            emit("{\"type\": \"\(kind)\", \"items\": [")
            for (i, x) in xs.enumerated() {
                if i > 0 { emit(", ") }
                jsonNode(x, path: path + "[\(i)]", depth: depth + 1, byPath: byPath, emit: emit)
            }
            emit("]}")
        }
        switch v {
        case .none: emit("null")
        case .bool(let b): emit(b ? "true" : "false")
        case .int(let i): emit(String(i))
        case .bigInt(let b): emit("{\"type\": \"int\", \"value\": \"\(b.description)\"}")
        case .float(let d): emit(jsonNumber(d))
        case .string(let s): emit(JSONString.quote(s))
        case .bytes(let b): emit("{\"type\": \"bytes\", \"length\": \(b.count), \"sha256\": \"\(SHA256.hash(b).hex)\"}")
        case .list(let l): items("list", l.items)
        case .tuple(let t): items("tuple", t)
        case .set(let s): items(s.isFrozen ? "frozenset" : "set", s.items)
        case .dict(let d):
            let kind = d.isOrdered ? "OrderedDict" : "dict"
            if truncated { emit("{\"type\": \"\(kind)\", \"length\": \(d.count), \"truncated\": true}"); return }
            emit("{\"type\": \"\(kind)\", \"items\": [")
            for (i, (k, x)) in d.items.enumerated() {
                emit(i > 0 ? ", [" : "[")
                jsonNode(k, path: path, depth: depth + 1, byPath: byPath, emit: emit)
                emit(", ")
                jsonNode(x, path: path + "[" + k.shortDescription + "]", depth: depth + 1, byPath: byPath, emit: emit)
                emit("]")
            }
            emit("]}")
        case .tensor(let t):
            let info = byPath[path]
            emit("{\"type\": \"tensor\", \"dtype\": \"\(t.dtype.rawValue)\", \"shape\": [\(t.shape.map(String.init).joined(separator: ", "))], \"sha256\": \(info?.sha256.map(JSONString.quote) ?? "null"), \"storage\": \(JSONString.quote(t.storage.key)), \"offset\": \(t.storageOffset), \"stride\": [\(t.stride.map(String.init).joined(separator: ", "))]}")
        case .ndarray(let a):
            let info = byPath[path]
            emit("{\"type\": \"ndarray\", \"dtype\": \"\(a.dtype.name)\", \"shape\": [\(a.shape.map(String.init).joined(separator: ", "))], \"sha256\": \(info?.sha256.map(JSONString.quote) ?? "null"), \"fortran_order\": \(a.isFortranOrder)}")
        case .numpyScalar(let s):
            let value = s.dtype.kind == "f" ? s.doubleValue.map(jsonNumber) : s.intValue.map(String.init)
            emit("{\"type\": \"numpy.\(s.dtype.name)\", \"value\": \(value ?? "null")}")
        case .numpyDType(let d): emit("{\"type\": \"numpy.dtype\", \"value\": \(JSONString.quote(d.descr))}")
        case .storage(let s): emit("{\"type\": \"storage\", \"dtype\": \"\(s.dtype.rawValue)\", \"key\": \(JSONString.quote(s.key)), \"length\": \(s.elementCount)}")
        case .global(let m, let n): emit("{\"type\": \"global\", \"name\": \(JSONString.quote(m + "." + n))}")
        case .object(let o):
            emit("{\"type\": \"object\", \"class\": \(JSONString.quote(o.qualifiedName)), \"args\": ")
            items("tuple", o.args)
            emit(", \"state\": ")
            if let s = o.state { jsonNode(s, path: path + ".state", depth: depth + 1, byPath: byPath, emit: emit) } else { emit("null") }
            emit("}")
        }
    }
}

extension PickleValue {
    var isScalarLeaf: Bool {
        switch self {
        case .none, .bool, .int, .bigInt, .float, .string: return true
        default: return false
        }
    }
}

func jsonNumber(_ d: Double) -> String {
    if d.isNaN { return "\"nan\"" }
    if d.isInfinite { return d > 0 ? "\"inf\"" : "\"-inf\"" }
    if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) + ".0" }
    return "\(d)"
}

