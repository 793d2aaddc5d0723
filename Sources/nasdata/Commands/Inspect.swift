import ArgumentParser
import Foundation
import NASDataIO
import Pickle
import Tensors
import TorchFormats

/// `nasdata inspect FILE`: the object tree of any pickle, torch checkpoint (legacy or
/// zip), `.npy` or safetensors file, read without executing anything.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the object tree of a pickle (plain or bz2: .pickle.pbz2), .pth (legacy or zip), .npy or safetensors file.",
        discussion: """
        Nothing in the file is executed: classes are resolved from an allow-list and anything else is \
        refused with the file and byte offset. --json prints {file, format, metadata, tensors, tree}; \
        every tensor and array is listed in "tensors" with its path, dtype, shape and the sha256 of its \
        dense little-endian bytes, so two checkpoints can be compared tensor by tensor. --select narrows \
        to one entry (keys separated by '/', ints as numbers, tuples as (cifar10,777)), e.g. \
        --select "full/all_results/(cifar10,777)/net_state_dict"; --export writes the selected state \
        dict or tensor as .pth (torch zip), .safetensors or .npy, or any plain value as a protocol-2 \
        pickle (.pkl; tensors become numpy arrays). bz2-compressed pickles (NATS-Bench's .pickle.pbz2) \
        are decompressed as they are parsed, at most --max-bytes (default 1000x the file's size + 64 MiB, \
        against bz2 bombs); tensors pickled with Python's pickle (torch.storage._load_from_bytes) are read.
        """)

    @Argument(help: "The file to inspect.")
    var file: String

    @Flag(name: .long, help: "Print JSON (with sha256 of every tensor and array).")
    var json = false

    @Option(name: .long, help: "Show containers down to this depth (text default 4, JSON unlimited).")
    var depth: Int?

    @Option(name: .long, help: "Items shown per container in text output.")
    var items = 10

    @Option(name: .long, help: "Path of the entry to show, keys separated by '/'.")
    var select: String?

    @Option(name: .long, help: "Write the selected state dict or tensor to this .pth, .safetensors or .npy file.")
    var export: String?

    @Flag(name: .long, help: "Read Python 2 strings as bytes instead of latin-1 text.")
    var bytesStrings = false

    @Flag(name: .long, help: "Only count what the file holds (streaming parse, memory stays small; no tensor data read).")
    var stats = false

    @Flag(name: .customLong("verify-crc"), help: "Check the CRC-32 of every entry of a zip checkpoint first.")
    var verifyCRC = false

    @Option(name: .customLong("max-bytes"), help: "Most bytes a bz2 pickle may decompress to (default 1000x its size + 64 MiB).")
    var maxBytes: Int64?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let depth, depth < 0 { throw ValidationError("--depth must be >= 0") }
        if items < 0 { throw ValidationError("--items must be >= 0") }
        if let maxBytes, maxBytes < 0 { throw ValidationError("--max-bytes must be >= 0") }
    }

    func run() throws {
        if let export { try OutputPath.check(export, option: "--export", writes: ["pth", "pt", "safetensors", "npy", "pkl"], format: "a torch .pth, safetensors, .npy or a pickle") }
        var options = Unpickler.Options()
        options.python2Strings = bytesStrings ? .bytes : .latin1
        if verifyCRC { try TorchCheckpoint.verifyChecksums(path: file) }
        if stats {
            if select != nil || export != nil { throw ValidationError("--stats cannot be combined with --select or --export") }
            let (kind, s) = try TreeStats.gather(path: file, options: options, maxBytes: maxBytes)
            let counts = s.nodes.keys.sorted().map { (name: $0, count: s.nodes[$0]!) }
            if json {
                print("{\"file\": \(JSONString.quote(file)), \"format\": \"\(kind.rawValue)\", \"nodes\": {"
                      + counts.map { "\(JSONString.quote($0.name)): \($0.count)" }.joined(separator: ", ")
                      + "}, \"total_nodes\": \(s.totalNodes), \"tensors\": \(s.tensors), \"tensor_bytes\": \(s.tensorBytes), "
                      + "\"arrays\": \(s.arrays), \"array_bytes\": \(s.arrayBytes)}")
            } else {
                print("\(file): \(kind.rawValue)")
                print("nodes: \(s.totalNodes) (" + counts.map { "\($0.name) \($0.count)" }.joined(separator: ", ") + ")")
                print("tensors: \(s.tensors) (\(s.tensorBytes) bytes), numpy arrays: \(s.arrays) (\(s.arrayBytes) bytes)")
            }
            return
        }
        let (kind, root, metadata) = try AnyFile.load(path: file, options: options, maxBytes: maxBytes)
        var value = root
        if let select {
            value = try root.value(at: Inspect.parsePath(select), in: file)
        }
        if let export {
            try Inspect.export(value, to: export)
        }
        let out = BufferedStdout()
        var renderer = TreeRenderer(maxDepth: depth ?? (json ? nil : 4))
        renderer.maxItems = items
        if json {
            try renderer.json(file: file, kind: kind, value: value, metadata: metadata, emit: out.write)
        } else {
            out.write("\(file): \(kind.rawValue)\(select.map { " [\($0)]" } ?? "")\n")
            if !metadata.isEmpty {
                out.write("metadata: " + metadata.keys.sorted().map { "\($0)=\(metadata[$0]!)" }.joined(separator: ", ") + "\n")
            }
            renderer.text(value, emit: out.write)
        }
        out.flush()
    }

    /// `a/b/3/(cifar10,777)` -> ["a", "b", 3, ("cifar10", 777)].
    static func parsePath(_ path: String) -> [PickleValue] {
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

    static func export(_ value: PickleValue, to path: String) throws {
        if path.hasSuffix(".pkl") {
            var w = PickleWriter()
            try w.dump(try plain(value))
            try AtomicOutput.write(to: path) { temp in
                guard FileManager.default.createFile(atPath: temp, contents: Data(w.bytes)) else {
                    throw ValidationError("cannot write \(temp)")
                }
            }
            return
        }
        let tensor: Tensor? = try value.tensor?.materialize() ?? value.ndarray?.tensor()
        if path.hasSuffix(".npy") {
            guard let tensor else { throw ValidationError("--export .npy needs a tensor or array, not \(value.typeName)") }
            try NPY.write(tensor, to: path)
            return
        }
        let sd: StateDict
        if let tensor { sd = StateDict([("tensor", tensor)]) } else { sd = try value.stateDict() }
        if path.hasSuffix(".safetensors") { try Safetensors.write(sd, to: path) } else { try TorchSave.writeStateDict(sd, to: path) }
    }
}

extension Inspect {
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

/// Collects output and writes it to stdout in large pieces.
final class BufferedStdout {
    private var buffer = ""
    func write(_ s: String) {
        buffer += s
        if buffer.utf8.count > 1 << 20 { flush() }
    }
    func flush() {
        FileHandle.standardOutput.write(buffer.data(using: .utf8)!)
        buffer = ""
    }
}
