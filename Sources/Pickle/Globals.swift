import Tensors

/// The allow-list: every class or function a pickle may name, and what "calling" it
/// means here (building a value; nothing is imported or executed). Python 2 module
/// names (`__builtin__`, `copy_reg`) are read as their Python 3 names.
public enum Globals {
    static let numpyModules: Set<String> = ["numpy.core.multiarray", "numpy._core.multiarray"]

    /// Every `module.name` accepted (besides `Options.opaqueGlobals`).
    public static let allowed: Set<String> = {
        var s: Set<String> = [
            "collections.OrderedDict", "builtins.set", "builtins.frozenset", "builtins.dict", "builtins.list",
            "builtins.bytearray", "builtins.bytes", "_codecs.encode",
            "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor", "torch._utils._rebuild_parameter",
            "torch.Size", "torch.storage.UntypedStorage", "torch.UntypedStorage", "torch.storage._load_from_bytes",
            "numpy.ndarray", "numpy.dtype",
        ]
        for d in DType.allCases { s.insert("torch." + d.torchStorageName) }
        for m in numpyModules { s.insert(m + "._reconstruct"); s.insert(m + ".scalar") }
        return s
    }()

    static func normalize(_ module: String) -> String {
        switch module {
        case "__builtin__": return "builtins"
        case "copy_reg": return "copyreg"
        case "numpy.core.multiarray", "numpy._core.multiarray": return module
        default: return module
        }
    }
}

extension Unpickler {
    func resolveGlobal(module: String, name: String) throws -> PickleValue {
        let m = Globals.normalize(module)
        let full = m + "." + name
        guard Globals.allowed.contains(full) || options.opaqueGlobals.contains(full) || options.allGlobalsOpaque else {
            throw fail(.refusedGlobal(full))
        }
        return .global(module: m, name: name)
    }

    /// REDUCE / NEWOBJ / OBJ / INST of an allowed global.
    func call(_ callable: PickleValue, _ args: [PickleValue]) throws -> PickleValue {
        guard case .global(let module, let name) = callable else {
            throw fail(.malformed("REDUCE of \(callable.typeName), which is not a class or function"))
        }
        let full = module + "." + name
        func bad(_ why: String) -> PickleError { fail(.malformed("\(full)\(why)")) }
        switch full {
        case "collections.OrderedDict", "builtins.dict":
            let d = PickleDict(ordered: full == "collections.OrderedDict")
            if let first = args.first {  // dict([(k, v), ...])
                guard let pairs = first.list else { throw bad(": argument is \(first.typeName)") }
                var flat: [PickleValue] = []
                for p in pairs {
                    guard let kv = p.list, kv.count == 2 else { throw bad(": item is not a pair") }
                    flat += kv
                }
                try setItems(flat[...], into: .dict(d), full)
            }
            return .dict(d)
        case "builtins.set", "builtins.frozenset":
            let s = PickleSet([], frozen: name == "frozenset")
            if let first = args.first {
                guard let items = first.list else { throw bad(": argument is \(first.typeName)") }
                try appendItems(items, to: .set(s), full)
            }
            return .set(s)
        case "builtins.list":
            let l = PickleList()
            if let first = args.first {
                guard let items = first.list else { throw bad(": argument is \(first.typeName)") }
                try appendItems(items, to: .list(l), full)
            }
            return .list(l)
        case "builtins.bytearray", "builtins.bytes", "_codecs.encode":
            if args.isEmpty { return .bytes([]) }
            if case .bytes(let b) = args[0] { return .bytes(b) }
            guard case .string(let s) = args[0] else { throw bad(": argument is \(args[0].typeName)") }
            let encoding = args.count > 1 ? (args[1].string ?? "").lowercased() : "utf-8"
            if encoding == "latin1" || encoding == "latin-1" || encoding == "iso-8859-1" {
                guard let b = s.latin1Bytes() else { throw bad(": text is not latin-1") }
                return .bytes(b)
            }
            guard encoding == "utf-8" || encoding == "utf8" || encoding == "ascii" else {
                throw bad(": unsupported encoding \(encoding)")
            }
            return .bytes(Array(s.utf8))
        case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
            guard args.count >= 4, case .storage(let storage) = args[0] else {
                throw bad(": expected (storage, offset, size, stride, ...), got \(args.count) argument(s)")
            }
            guard let offset = args[1].int, let size = args[2].list, let stride = args[3].list else {
                throw bad(": offset, size or stride has the wrong type")
            }
            let shape = size.compactMap(\.int), strides = stride.compactMap(\.int)
            guard shape.count == size.count, strides.count == stride.count else { throw bad(": non-integer size or stride") }
            let t = TorchTensor(storage: storage, storageOffset: offset, shape: shape, stride: strides,
                                requiresGrad: args.count > 4 ? (args[4].bool ?? false) : false)
            if let why = t.validate() { throw bad(": \(why)") }
            return .tensor(t)
        case "torch.storage._load_from_bytes":
            // pickle.dumps of a tensor: its storage is a complete legacy torch.save file,
            // parsed (never executed) by the loader TorchFormats installs.
            guard args.count == 1, case .bytes(let payload) = args[0] else { throw bad(": expected one bytes argument") }
            guard let loader = options.storageFromBytes else {
                throw bad(": a storage saved inside the pickle needs the torch loader (read the file with TorchFormats)")
            }
            // Errors inside name the payload as "<file> (storage at byte N)".
            let storage = try loader(payload, "\(reader.path) (storage at byte \(opStart))")
            guard case .storage = storage else { throw bad(": the embedded torch.save file holds \(storage.typeName), not a storage") }
            return storage
        case "torch._utils._rebuild_parameter":
            guard args.count >= 2, case .tensor(var t) = args[0] else { throw bad(": expected (tensor, requires_grad, ...)") }
            t.isParameter = true
            return .tensor(t)
        case "torch.Size":
            guard let dims = args.first?.list else { throw bad(": expected a tuple") }
            return .tuple(dims)
        case _ where Globals.numpyModules.contains(module) && name == "_reconstruct":
            // _reconstruct(ndarray, (0,), b'b'): an empty array that BUILD fills in.
            return .ndarray(NDArray(placeholder: ()))
        case "numpy.dtype":
            guard let descr = args.first?.string, let dt = NumpyDType(descr: descr) else {
                throw bad(": unsupported dtype \(args.first?.shortDescription ?? "()") (structured and object dtypes are not read)")
            }
            return .numpyDType(dt)
        case _ where Globals.numpyModules.contains(module) && name == "scalar":
            guard args.count == 2, case .numpyDType(let dt) = args[0], let raw = args[1].bytes else {
                throw bad(": expected (dtype, bytes)")
            }
            guard raw.count == dt.itemSize else { throw bad(": \(raw.count) bytes for a \(dt.descr) scalar") }
            return .numpyScalar(NumpyScalar(dtype: NumpyDType(kind: dt.kind, itemSize: dt.itemSize,
                                                              littleEndian: dt.isLittleEndian), bytes: raw))
        default:
            // Storage classes and numpy.ndarray are only ever arguments; anything from
            // opaqueGlobals is recorded, never run.
            let o = PickleObject(module: module, name: name, args: args)
            o.meta = try adopt(args, into: o.meta, owner: o, full)
            return .object(o)
        }
    }

    func build(_ target: PickleValue, state: PickleValue) throws {
        switch target {
        case .ndarray(let a):
            guard !a.isBuilt else { throw fail(.malformed("BUILD on an ndarray that is already built")) }
            try a.build(state, reader: reader)
        case .numpyDType(let dt):
            // (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])
            guard let items = state.tuple, items.count >= 2, let order = items[1].string else {
                throw fail(.malformed("numpy.dtype BUILD: unexpected state \(state.shortDescription)"))
            }
            if items.count > 4, !items[3].isNone || !items[4].isNone {
                throw fail(.malformed("numpy.dtype BUILD: structured dtypes are not supported"))
            }
            dt.isLittleEndian = order != ">"
        case .dict(let d):
            d.meta = try adopt([state], into: d.meta, owner: d, "BUILD")
            d.state = state
        case .object(let o):
            o.meta = try adopt([state], into: o.meta, owner: o, "BUILD")
            o.state = state
        case .tensor:
            break  // torch tensors may carry a BUILD of backward hooks / python attributes; not data
        default:
            throw fail(.malformed("BUILD on \(target.typeName)"))
        }
    }
}
