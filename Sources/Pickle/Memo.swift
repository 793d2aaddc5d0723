/// The unpickler's memo, compact enough for pickles that memoise ~10^8 small strings.
///
/// Each slot is a `UInt32`: 0 = never stored, 1 = consumed by the streaming hook,
/// high bit set = index into a table of interned strings (short strings are stored
/// once by content, however many slots name them), otherwise index + 2 into an
/// object table whose entries are freed (and reused) when the hook consumes them.
/// So memory grows with distinct short strings and live objects, plus 4 bytes a slot.
struct Memo {
    private var slots: [UInt32] = []
    /// Slots far beyond the dense range (hostile or unusual indices) live here.
    private var sparse: [Int: UInt32] = [:]
    private var strings: [String] = []
    private var stringIDs: [String: UInt32] = [:]
    private var objects: [PickleValue?] = []
    private var freeObjects: [UInt32] = []
    /// Number of slots ever stored (what MEMOIZE uses as its next index).
    private(set) var count = 0

    static let internLimit = 128
    private static let emptyTag: UInt32 = 0, consumedTag: UInt32 = 1, stringFlag: UInt32 = 1 << 31

    enum Lookup { case value(PickleValue), missing, consumed }

    private func raw(_ index: Int) -> UInt32 {
        if index >= 0 && index < slots.count { return slots[index] }
        return sparse[index] ?? Memo.emptyTag
    }

    private mutating func setRaw(_ index: Int, _ v: UInt32) {
        if index >= 0 && index < slots.count { slots[index] = v; return }
        if index >= slots.count && index < slots.count + 4096 {
            slots.append(contentsOf: repeatElement(Memo.emptyTag, count: index - slots.count + 1))
            if !sparse.isEmpty {
                for (k, old) in sparse where k < slots.count { slots[k] = old; sparse[k] = nil }
            }
            slots[index] = v
            return
        }
        sparse[index] = v
    }

    func get(_ index: Int) -> Lookup {
        let r = raw(index)
        switch r {
        case Memo.emptyTag: return .missing
        case Memo.consumedTag: return .consumed
        default:
            if r & Memo.stringFlag != 0 { return .value(.string(strings[Int(r & ~Memo.stringFlag)])) }
            guard let v = objects[Int(r - 2)] else { return .consumed }
            return .value(v)
        }
    }

    mutating func put(_ index: Int, _ value: PickleValue) {
        let old = raw(index)
        if old == Memo.emptyTag { count += 1 }
        if old > Memo.consumedTag && old & Memo.stringFlag == 0 { freeObject(old) }
        if case .string(let s) = value, s.utf8.count <= Memo.internLimit {
            if let id = stringIDs[s] { setRaw(index, id | Memo.stringFlag); return }
            let id = UInt32(strings.count)
            strings.append(s)
            stringIDs[s] = id
            setRaw(index, id | Memo.stringFlag)
            return
        }
        let id: UInt32
        if let reuse = freeObjects.popLast() { id = reuse; objects[Int(id)] = value } else {
            id = UInt32(objects.count); objects.append(value)
        }
        setRaw(index, id + 2)
    }

    /// Marks `index` consumed and drops the memo's reference to its object.
    mutating func consume(_ index: Int) {
        let old = raw(index)
        guard old > Memo.consumedTag, old & Memo.stringFlag == 0 else { return }
        freeObject(old)
        setRaw(index, Memo.consumedTag)
    }

    /// Marks consumed every dense slot from `start` on that holds a plain value (a tuple,
    /// bytes, a number, a numpy scalar or array, a long string): the values memoised while
    /// building a container the streaming hook took, which a pickle written by Python's
    /// pickler refers to only from inside that container (numpy scalar REDUCE arguments,
    /// tuple keys). Containers are released by walking the value; interned strings, numpy
    /// dtypes, globals and torch storages stay (pickles share those across the whole file).
    mutating func consumeValues(from start: Int) {
        guard start >= 0 && start < slots.count else { return }
        for i in start..<slots.count {
            let r = slots[i]
            guard r > Memo.consumedTag, r & Memo.stringFlag == 0, let v = objects[Int(r - 2)] else { continue }
            switch v {
            case .tuple, .bytes, .int, .bigInt, .float, .string, .numpyScalar, .ndarray:
                freeObject(r)
                slots[i] = Memo.consumedTag
            default: continue
            }
        }
    }

    private mutating func freeObject(_ raw: UInt32) {
        let id = raw - 2
        objects[Int(id)] = nil
        freeObjects.append(id)
    }

    /// Statistics for benchmarks and tests.
    var stats: (slots: Int, internedStrings: Int, liveObjects: Int) {
        (count, strings.count, objects.count - freeObjects.count)
    }
}
