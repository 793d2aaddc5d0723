/// A restricted unpickler: reads pickle protocols 0-5 into a `PickleValue` tree and
/// executes nothing. Classes and functions named by the pickle are looked up in an
/// allow-list (`Globals`) and mapped onto value cases; anything else is refused with
/// an error naming `module.name` and the byte offset.
///
///     let value = try Unpickler.load(path: "data_batch_1")           // one plain pickle
///     let u = try Unpickler(path: "x.pkl"); let a = try u.load(); let b = try u.load()  // consecutive pickles
///
/// **Streaming** (for multi-GB pickles): set `dictItemHandler`. It is called for every
/// item a dict receives (SETITEM, SETITEMS, DICT), after the value is complete and
/// before it is inserted, and decides what the dict keeps:
///
///     u.dictItemHandler = { item in
///         guard item.key.tuple?.count == 2, item.value["train_acc1es"].dict != nil else { return .keep }
///         try store(item.key, item.value)        // convert it now...
///         return .drop                           // ...and let the tree forget it
///     }
///
/// `.drop` and `.replace(_)` hand the value over: the unpickler releases every memo
/// slot that held a container inside it (lists, dicts, sets, objects) and the plain
/// values (tuples, bytes, numbers, numpy scalars) memoised while it was built, so nothing
/// keeps it alive. A later memo GET of a released slot throws `.consumedMemo`.
/// Items are offered bottom-up: inner dicts fire before the dicts that contain them,
/// so the hook can take items at whatever depth keeps memory small. Short strings
/// in the memo are interned by content (see `Memo`), so pickles that memoise
/// ~10^8 small strings cost ~4 bytes a slot.
public final class Unpickler {
    /// How Python 2 `str` payloads (STRING, BINSTRING, SHORT_BINSTRING) are read.
    public enum Python2Strings: Sendable {
        /// As `.string`, decoding latin-1 (what `pickle.load(f, encoding='latin1')` does).
        case latin1
        /// As `.bytes` (`encoding='bytes'`).
        case bytes
    }

    /// What the streaming hook decides for one dict item.
    public enum DictItemAction {
        case keep
        /// Do not insert the item; the value is the hook's now.
        case drop
        /// Insert this value instead (e.g. a small handle); the original is the hook's now.
        case replace(PickleValue)
    }

    /// One item about to be set into `dict`.
    public struct DictItem {
        public let key: PickleValue
        public let value: PickleValue
        public let dict: PickleDict
        /// Byte offset of the opcode that sets it.
        public let offset: Int64
    }

    public struct Options: Sendable {
        public var python2Strings: Python2Strings = .latin1
        /// Deepest container nesting accepted (NB201 files nest ~8 deep).
        public var maxNesting = 200
        /// Most unfinished MARKs at once.
        public var maxMarks = 10_000
        /// Most values on the stack at once (Python's pickler batches containers by 1000).
        public var maxStack = 16_000_000
        /// Extra `module.name` globals accepted as opaque `.object` values (never called).
        public var opaqueGlobals: Set<String> = []
        /// Accept every global not on the allow-list as an opaque `.object` (still never
        /// imported or called): for structure checks that parse any pickle to its STOP
        /// without needing to understand its classes (`nasdata verify`).
        public var allGlobalsOpaque = false
        /// What a memo GET of a slot the streaming hook consumed yields: nil (the default)
        /// makes it an error (`.consumedMemo`); a value (e.g. `.none`) is pushed instead, for
        /// callers that only count or skim (`nasdata inspect --stats`).
        public var consumedMemoPlaceholder: PickleValue?
        /// Reads the argument of `torch.storage._load_from_bytes` (a complete legacy
        /// `torch.save` file holding one storage, named by the second argument in errors)
        /// into a `.storage`. TorchFormats sets it (`TorchCheckpoint.pickleOptions`); without
        /// it such a pickle is refused.
        public var storageFromBytes: (@Sendable ([UInt8], String) throws -> PickleValue)?
        public init() {}
    }

    public let reader: ByteReader
    public var options: Options
    /// Resolves a persistent id (BINPERSID/PERSID) to a value; torch loaders set it.
    /// Without it a persistent id is an error.
    public var persistentLoad: ((PickleValue) throws -> PickleValue)?
    /// The streaming hook (see the type's documentation).
    public var dictItemHandler: ((DictItem) throws -> DictItemAction)?

    var stack: [PickleValue] = []
    var marks: [Int] = []
    var memo = Memo()
    var opStart: Int64 = 0
    var tupleInfo: [UnsafeRawPointer: (depth: Int, size: Int, keep: [PickleValue])] = [:]

    public init(reader: ByteReader, options: Options = Options()) {
        self.reader = reader
        self.options = options
    }

    public convenience init(path: String, options: Options = Options()) throws {
        self.init(reader: try ByteReader(path: path), options: options)
    }

    public convenience init(bytes: [UInt8], name: String = "<memory>", options: Options = Options()) {
        self.init(reader: ByteReader(bytes: bytes, name: name), options: options)
    }

    /// Reads the single pickle in `path`. Bytes after its STOP are an error
    /// (`.trailingBytes`): a file that is one pickle ends with it. Formats that place
    /// data after a pickle (the legacy torch layout) read with `load()` and say where.
    public static func load(path: String, options: Options = Options()) throws -> PickleValue {
        let u = try Unpickler(path: path, options: options)
        let value = try u.load()
        try u.expectEnd()
        return value
    }

    /// Reads the single pickle in `bytes`; bytes after its STOP are an error, as for `load(path:)`.
    public static func load(bytes: [UInt8], name: String = "<memory>", options: Options = Options()) throws -> PickleValue {
        let u = Unpickler(bytes: bytes, name: name, options: options)
        let value = try u.load()
        try u.expectEnd()
        return value
    }

    /// Throws `.trailingBytes` unless the reader is at its end (call after the last `load()`).
    /// Over a stream (a bz2 pickle) the rest is decompressed to find out: a second pickle,
    /// a second bz2 stream or junk after the STOP is reported at the STOP's end.
    public func expectEnd() throws {
        let left = try reader.countRest()
        guard left > 0 else { return }
        throw PickleError(path: reader.path, offset: reader.offset, reason: .trailingBytes(left))
    }

    /// Memo statistics of the last `load()` (slots stored, distinct interned strings, live objects).
    public var memoStats: (slots: Int, internedStrings: Int, liveObjects: Int) { memo.stats }

    func fail(_ reason: PickleError.Reason) -> PickleError {
        PickleError(path: reader.path, offset: opStart, reason: reason)
    }

    /// Reads one pickle, up to and including its STOP opcode, with a fresh memo.
    public func load() throws -> PickleValue {
        stack = []
        marks = []
        memo = Memo()
        tupleInfo = [:]
        defer { stack = []; marks = []; tupleInfo = [:] }
        while true {
            opStart = reader.offset
            let op = try reader.byte()
            if op == Op.stop {
                guard let top = stack.popLast() else { throw fail(.stackUnderflow("STOP")) }
                guard stack.isEmpty && marks.isEmpty else {
                    throw fail(.malformed("STOP with \(stack.count) value(s) and \(marks.count) mark(s) left over"))
                }
                seal(top)
                return top
            }
            try execute(op)
            if stack.count > options.maxStack { throw fail(.tooLarge("more than \(options.maxStack) values on the stack")) }
        }
    }

    // MARK: - Stack helpers

    @inline(__always) func push(_ v: PickleValue) { stack.append(v) }

    /// Values below the innermost MARK belong to an outer frame and cannot be popped (as in CPython).
    @inline(__always) func pop(_ op: String) throws -> PickleValue {
        guard stack.count > (marks.last ?? 0), let v = stack.popLast() else { throw fail(.stackUnderflow(op)) }
        return v
    }

    @inline(__always) func top(_ op: String) throws -> PickleValue {
        guard stack.count > (marks.last ?? 0), let v = stack.last else { throw fail(.stackUnderflow(op)) }
        return v
    }

    /// Pops everything above the last MARK (and the mark).
    func popMark(_ op: String) throws -> [PickleValue] {
        guard let m = marks.popLast() else { throw fail(.stackUnderflow("\(op) without MARK")) }
        let items = Array(stack[m...])
        stack.removeSubrange(m...)
        return items
    }

    // MARK: - Nesting, sealing, consuming

    /// Nesting depth and logical size (nodes counted as often as shared references
    /// repeat them) of a value. Boxes carry theirs; tuples holding tuples or more than
    /// `smallTuple` items are looked up by their buffer in `tupleInfo` (kept alive there,
    /// so an address is never reused while cached), the others are summed from their
    /// items (at most `smallTuple` non-tuple values), so neither costs more than a few steps.
    func info(of v: PickleValue) -> (depth: Int, size: Int) {
        switch v {
        case .list(let l): return (l.meta.depth, l.meta.size)
        case .dict(let d): return (d.meta.depth, d.meta.size)
        case .set(let s): return (s.meta.depth, s.meta.size)
        case .object(let o): return (o.meta.depth, o.meta.size)
        case .tuple(let t):
            if let key = Unpickler.bufferKey(t), let known = tupleInfo[key] { return (known.depth, known.size) }
            return t.reduce((1, 1)) { acc, x in let i = info(of: x); return (max(acc.0, i.depth + 1), acc.1 &+ i.size) }
        default: return (0, 1)
        }
    }

    /// Whether a tuple's info is cached: only when recomputing it could cost more than a few
    /// steps (it holds a tuple, or many items). The cache keeps its tuples alive for the whole
    /// load, so caching the small flat tuples a pickle makes by the million (numpy scalar and
    /// dtype arguments, REDUCE args) would grow memory with the file, even when the streaming
    /// hook drops the values holding them.
    static func cachesInfo(of items: [PickleValue]) -> Bool {
        items.count > smallTuple || items.contains { if case .tuple = $0 { return true } else { return false } }
    }

    static let smallTuple = 16

    /// Tuples whose info is cached (alive until the end of `load()`), for tests.
    var cachedTupleCount: Int { tupleInfo.count }

    static func bufferKey(_ t: [PickleValue]) -> UnsafeRawPointer? {
        t.isEmpty ? nil : t.withUnsafeBufferPointer { $0.baseAddress.map(UnsafeRawPointer.init) }
    }

    /// Marks a value placed into a parent: from now on it must not change.
    func seal(_ v: PickleValue) {
        switch v {
        case .list(let l): l.meta.sealed = true
        case .dict(let d): if !d.meta.sealed { d.meta.sealed = true; d.finish() }
        case .set(let s): s.meta.sealed = true
        case .object(let o): o.meta.sealed = true
        default: break
        }
    }

    /// Checks that `children` may go into a container whose bookkeeping is `meta`, and updates it:
    /// depth bounded by `maxNesting`, logical size by `maxLogicalSize` (shared references
    /// counted each time, so "billion laughs" DAGs are refused before any walker sees them).
    func adopt(_ children: [PickleValue], into current: NodeMeta, owner: AnyObject?, _ op: String) throws -> NodeMeta {
        var meta = current
        try checkUnsealed(meta, op)
        for c in children { try adoptOne(c, into: &meta, owner: owner, op) }
        try checkLimits(meta)
        return meta
    }

    @inline(__always) func checkUnsealed(_ meta: NodeMeta, _ op: String) throws {
        if meta.sealed {
            throw fail(.malformed("\(op) modifies a container already placed in another (recursive structures are not supported)"))
        }
    }

    /// Accounts for one child (`meta` is a local copy, never the owner's stored property,
    /// so reading a child that is the owner itself cannot overlap an access).
    @inline(__always) func adoptOne(_ c: PickleValue, into meta: inout NodeMeta, owner: AnyObject?, _ op: String) throws {
        switch c {
        case .none, .bool, .int, .float, .string, .bytes, .bigInt: meta.size &+= 1; return  // leaves
        default: break
        }
        if let owner, let box = c.box, box === owner {
            throw fail(.malformed("\(op) puts a container into itself (recursive structures are not supported)"))
        }
        let i = info(of: c)
        meta.depth = max(meta.depth, i.depth + 1)
        meta.size = meta.size &+ i.size
        seal(c)
    }

    @inline(__always) func checkLimits(_ meta: NodeMeta) throws {
        if meta.depth > options.maxNesting { throw fail(.tooDeep(options.maxNesting)) }
        if meta.size > maxLogicalSize || meta.size < 0 {
            throw fail(.tooLarge("object graph of more than \(maxLogicalSize) nodes (counting shared references)"))
        }
    }

    /// The logical-size limit: generous for real data (each input byte makes at most a few
    /// nodes, plus sharing) but far below what would make a walker hang.
    var maxLogicalSize: Int { max(1 << 22, Int(min(reader.end, Int64(Int.max / 64))) * 64) }

    func makeTuple(_ items: [PickleValue]) throws -> PickleValue {
        let meta = try adopt(items, into: NodeMeta(), owner: nil, "TUPLE")
        if Unpickler.cachesInfo(of: items), let key = Unpickler.bufferKey(items) { tupleInfo[key] = (meta.depth, meta.size, items) }
        return .tuple(items)
    }

    /// Releases what the memo holds of a value the hook took: the slots of every container
    /// inside it and, when it is a memoised container, the plain values memoised since its
    /// slot (see `Memo.consumeValues`).
    func release(_ v: PickleValue) {
        consume(v)
        let slot: Int
        switch v {
        case .list(let l): slot = l.meta.memoSlot
        case .dict(let d): slot = d.meta.memoSlot
        case .set(let s): slot = s.meta.memoSlot
        case .object(let o): slot = o.meta.memoSlot
        default: slot = -1
        }
        if slot >= 0 { memo.consumeValues(from: slot + 1) }
    }

    /// Releases the memo slots of every container inside a value the hook took.
    func consume(_ v: PickleValue) {
        switch v {
        case .list(let l):
            if l.meta.memoSlot >= 0 { memo.consume(l.meta.memoSlot) }
            for x in l.items { consume(x) }
        case .dict(let d):
            if d.meta.memoSlot >= 0 { memo.consume(d.meta.memoSlot) }
            for x in d.values { consume(x) }
        case .set(let s):
            if s.meta.memoSlot >= 0 { memo.consume(s.meta.memoSlot) }
        case .object(let o):
            if o.meta.memoSlot >= 0 { memo.consume(o.meta.memoSlot) }
            for x in o.args { consume(x) }
            if let st = o.state { consume(st) }
        case .tuple(let t):
            for x in t { consume(x) }
        default: break
        }
    }

    // MARK: - Containers

    func setItems(_ pairs: ArraySlice<PickleValue>, into target: PickleValue, _ op: String) throws {
        guard case .dict(let d) = target else { throw fail(.malformed("\(op) on \(target.typeName), not a dict")) }
        guard pairs.count % 2 == 0 else { throw fail(.malformed("\(op) with an odd number of items")) }
        var i = pairs.startIndex
        while i < pairs.endIndex {
            try setItem(pairs[i], pairs[i + 1], into: d, op)
            i += 2
        }
    }

    /// SETITEMS straight from the stack (no slice kept alive, so removing the items does not copy the stack).
    func setItemsFromStack(mark m: Int) throws {
        guard case .dict(let d) = stack[m - 1] else {
            throw fail(.malformed("SETITEMS on \(stack[m - 1].typeName), not a dict"))
        }
        guard (stack.count - m) % 2 == 0 else { throw fail(.malformed("SETITEMS with an odd number of items")) }
        var i = m
        while i < stack.count {
            try setItem(stack[i], stack[i + 1], into: d, "SETITEMS")
            i += 2
        }
        stack.removeSubrange(m...)
    }

    @inline(__always) func setItem(_ key: PickleValue, _ value: PickleValue, into d: PickleDict, _ op: String) throws {
        var stored = value
        if let handler = dictItemHandler {
            if case .dict(let inner) = value { inner.finish() }
            switch try handler(DictItem(key: key, value: value, dict: d, offset: opStart)) {
            case .keep: break
            case .drop: release(value); return
            case .replace(let v): release(value); stored = v
            }
        }
        var meta = d.meta
        try checkUnsealed(meta, op)
        try adoptOne(key, into: &meta, owner: d, op)
        try adoptOne(stored, into: &meta, owner: d, op)
        try checkLimits(meta)
        d.meta = meta
        d.append(key, stored)
    }

    func appendItems(_ items: [PickleValue], to target: PickleValue, _ op: String) throws {
        switch target {
        case .list(let l):
            l.meta = try adopt(items, into: l.meta, owner: l, op)
            l.items.append(contentsOf: items)
        case .set(let s):  // protocol < 4 sets are built as set([...]); ADDITEMS uses this too
            s.meta = try adopt(items, into: s.meta, owner: s, op)
            s.add(items)
        default:
            throw fail(.malformed("\(op) on \(target.typeName), not a list"))
        }
    }

    func memoPut(_ index: Int) throws {
        guard index >= 0 else { throw fail(.malformed("negative memo index \(index)")) }
        let v = try top("PUT")
        switch v {
        case .list(let l): if l.meta.memoSlot < 0 { l.meta.memoSlot = index }
        case .dict(let d): if d.meta.memoSlot < 0 { d.meta.memoSlot = index }
        case .set(let s): if s.meta.memoSlot < 0 { s.meta.memoSlot = index }
        case .object(let o): if o.meta.memoSlot < 0 { o.meta.memoSlot = index }
        default: break
        }
        memo.put(index, v)
    }

    func memoGet(_ index: Int) throws {
        switch memo.get(index) {
        case .value(let v): push(v)
        case .missing: throw fail(.missingMemo(index))
        case .consumed:
            guard let placeholder = options.consumedMemoPlaceholder else { throw fail(.consumedMemo(index)) }
            push(placeholder)
        }
    }
}
