import Foundation
import NASDataIO
import Pickle
import Tensors

/// What `nasdata inspect` asks of a file: its value tree (or only counts of what it holds),
/// optionally one entry of it, optionally written out.
public struct InspectRequest: Sendable {
    public var file: String
    /// The entry to show, keys separated by '/' (`InspectRequest.path(_:)`).
    public var select: String?
    /// Write the selected value here: .pth, .pt, .safetensors, .npy or .pkl.
    public var export: String?
    /// Read Python 2 strings as bytes instead of latin-1 text.
    public var python2StringsAsBytes = false
    /// Only count what the file holds (a streaming parse; no tensor data read).
    public var statsOnly = false
    /// Check the CRC-32 of every entry of a zip checkpoint first.
    public var verifyCRC = false
    /// Most bytes a bz2 pickle may decompress to (nil: `Bzip2Reader`'s default).
    public var maxBytes: Int64?
    /// Containers shown down to this depth (nil: text 4, JSON unlimited).
    public var depth: Int?
    /// Items shown per container in text output.
    public var items = 10

    public init(file: String) { self.file = file }

    /// `a/b/3/(cifar10,777)` -> ["a", "b", 3, ("cifar10", 777)]: ints as numbers, quoted
    /// strings unquoted, parenthesised tuples.
    public static func path(_ path: String) -> [PickleValue] {
        func atom(_ s: Substring) -> PickleValue {
            let t = s.trimmingCharacters(in: .whitespaces)
            if let i = Int(t) { return .int(i) }
            if t.count >= 2, let q = t.first, q == "'" || q == "\"", t.last == q { return .string(String(t.dropFirst().dropLast())) }
            return .string(t)
        }
        return path.split(separator: "/").map { seg in
            if seg.hasPrefix("("), seg.hasSuffix(")") {
                return .tuple(seg.dropFirst().dropLast().split(separator: ",").map(atom))
            }
            return atom(seg)
        }
    }
}

/// A request `Inspector` refuses (the message is the user's option error).
public enum InspectError: Error, Equatable, Sendable, CustomStringConvertible {
    case statsWithSelection
    /// --export .npy of something that is no tensor or array (its type name).
    case notAnArray(String)
    case cannotWrite(String)

    public var description: String {
        switch self {
        case .statsWithSelection: return "--stats cannot be combined with --select or --export"
        case .notAnArray(let type): return "--export .npy needs a tensor or array, not \(type)"
        case .cannotWrite(let path): return "cannot write \(path)"
        }
    }
}

/// What `Inspector` found: counts, or the (selected) value tree.
public struct InspectResult {
    public enum Content {
        case stats(TreeStats)
        case tree(PickleValue, metadata: [String: String])
    }

    public var file: String
    public var kind: AnyFile.Kind
    public var select: String?
    public var content: Content
    public var depth: Int?
    public var items: Int

    /// Every tensor and array of the tree, with its sha256 (none for `--stats`).
    public func tensors() throws -> [TreeRenderer.TensorInfo] {
        guard case .tree(let value, _) = content else { return [] }
        return try TreeRenderer().tensors(in: value)
    }

    /// Writes the report to `emit` in pieces: as JSON, or as indented text.
    public func write(json: Bool, emit: (String) -> Void) throws {
        switch content {
        case .stats(let s):
            let counts = s.nodes.keys.sorted().map { (name: $0, count: s.nodes[$0]!) }
            if json {
                emit("{\"file\": \(JSONString.quote(file)), \"format\": \"\(kind.rawValue)\", \"nodes\": {"
                     + counts.map { "\(JSONString.quote($0.name)): \($0.count)" }.joined(separator: ", ")
                     + "}, \"total_nodes\": \(s.totalNodes), \"tensors\": \(s.tensors), \"tensor_bytes\": \(s.tensorBytes), "
                     + "\"arrays\": \(s.arrays), \"array_bytes\": \(s.arrayBytes)}\n")
            } else {
                emit("\(file): \(kind.rawValue)\n")
                emit("nodes: \(s.totalNodes) (" + counts.map { "\($0.name) \($0.count)" }.joined(separator: ", ") + ")\n")
                emit("tensors: \(s.tensors) (\(s.tensorBytes) bytes), numpy arrays: \(s.arrays) (\(s.arrayBytes) bytes)\n")
            }
        case .tree(let value, let metadata):
            var renderer = TreeRenderer(maxDepth: depth ?? (json ? nil : 4))
            renderer.maxItems = items
            if json {
                try renderer.json(file: file, kind: kind, value: value, metadata: metadata, emit: emit)
            } else {
                emit("\(file): \(kind.rawValue)\(select.map { " [\($0)]" } ?? "")\n")
                if !metadata.isEmpty {
                    emit("metadata: " + metadata.keys.sorted().map { "\($0)=\(metadata[$0]!)" }.joined(separator: ", ") + "\n")
                }
                renderer.text(value, emit: emit)
            }
        }
    }
}

/// `nasdata inspect`: the object tree of any pickle, torch checkpoint, .npy or safetensors
/// file, read without executing anything; an entry of it written as .pth, .safetensors,
/// .npy or a pickle.
public enum Inspector {
    public static func run(_ request: InspectRequest) throws -> InspectResult {
        var options = Unpickler.Options()
        options.python2Strings = request.python2StringsAsBytes ? .bytes : .latin1
        if request.verifyCRC { _ = try TorchCheckpoint.verifyChecksums(path: request.file) }
        if request.statsOnly {
            if request.select != nil || request.export != nil { throw InspectError.statsWithSelection }
            let (kind, stats) = try TreeStats.gather(path: request.file, options: options, maxBytes: request.maxBytes)
            return InspectResult(file: request.file, kind: kind, select: nil, content: .stats(stats),
                                 depth: request.depth, items: request.items)
        }
        let (kind, root, metadata) = try AnyFile.load(path: request.file, options: options, maxBytes: request.maxBytes)
        var value = root
        if let select = request.select {
            value = try root.value(at: InspectRequest.path(select), in: request.file)
        }
        if let export = request.export {
            try Self.export(value, to: export)
        }
        return InspectResult(file: request.file, kind: kind, select: request.select, content: .tree(value, metadata: metadata),
                             depth: request.depth, items: request.items)
    }

    /// Writes `value` by the extension of `path`: a pickle (.pkl; tensors become numpy arrays),
    /// a tensor or array as .npy, a state dict (or one tensor) as .safetensors or torch zip.
    public static func export(_ value: PickleValue, to path: String) throws {
        if path.hasSuffix(".pkl") {
            var w = PickleWriter()
            try w.dump(try plain(value))
            try AtomicOutput.write(to: path) { temp in
                guard FileManager.default.createFile(atPath: temp, contents: Data(w.bytes)) else {
                    throw InspectError.cannotWrite(temp)
                }
            }
            return
        }
        let tensor: Tensor? = try value.tensor?.materialize() ?? value.ndarray?.tensor()
        if path.hasSuffix(".npy") {
            guard let tensor else { throw InspectError.notAnArray(value.typeName) }
            try NPY.write(tensor, to: path)
            return
        }
        let sd: StateDict
        if let tensor { sd = StateDict([("tensor", tensor)]) } else { sd = try value.stateDict() }
        if path.hasSuffix(".safetensors") { try Safetensors.write(sd, to: path) } else { try TorchSave.writeStateDict(sd, to: path) }
    }

    /// The value with tensors replaced by numpy arrays (what PickleWriter can write).
    static func plain(_ v: PickleValue) throws -> PickleValue {
        switch v {
        case .tensor(let t): return .ndarray(NDArray(try t.materialize()))
        case .list(let l): return .makeList(try l.items.map(plain))
        case .tuple(let t): return .tuple(try t.map(plain))
        case .dict(let d): return .makeDict(try d.items.map { (try plain($0), try plain($1)) }, ordered: d.isOrdered)
        case .set(let s): return .makeSet(try s.items.map(plain), frozen: s.isFrozen)
        default: return v
        }
    }
}
