/// Pickle opcodes (CPython's Lib/pickletools.py documents them all).
enum Op {
    static let mark: UInt8 = 0x28, stop: UInt8 = 0x2E, pop: UInt8 = 0x30, popMark: UInt8 = 0x31, dup: UInt8 = 0x32
    static let float: UInt8 = 0x46, int: UInt8 = 0x49, binint: UInt8 = 0x4A, binint1: UInt8 = 0x4B
    static let long: UInt8 = 0x4C, binint2: UInt8 = 0x4D, none: UInt8 = 0x4E, persid: UInt8 = 0x50
    static let binpersid: UInt8 = 0x51, reduce: UInt8 = 0x52, string: UInt8 = 0x53, binstring: UInt8 = 0x54
    static let shortBinstring: UInt8 = 0x55, unicode: UInt8 = 0x56, binunicode: UInt8 = 0x58
    static let append: UInt8 = 0x61, build: UInt8 = 0x62, global: UInt8 = 0x63, dict: UInt8 = 0x64
    static let emptyDict: UInt8 = 0x7D, appends: UInt8 = 0x65, get: UInt8 = 0x67, binget: UInt8 = 0x68
    static let inst: UInt8 = 0x69, longBinget: UInt8 = 0x6A, list: UInt8 = 0x6C, emptyList: UInt8 = 0x5D
    static let obj: UInt8 = 0x6F, put: UInt8 = 0x70, binput: UInt8 = 0x71, longBinput: UInt8 = 0x72
    static let setitem: UInt8 = 0x73, tuple: UInt8 = 0x74, emptyTuple: UInt8 = 0x29, setitems: UInt8 = 0x75
    static let binfloat: UInt8 = 0x47
    // protocol 2
    static let proto: UInt8 = 0x80, newobj: UInt8 = 0x81, ext1: UInt8 = 0x82, ext2: UInt8 = 0x83, ext4: UInt8 = 0x84
    static let tuple1: UInt8 = 0x85, tuple2: UInt8 = 0x86, tuple3: UInt8 = 0x87
    static let newtrue: UInt8 = 0x88, newfalse: UInt8 = 0x89, long1: UInt8 = 0x8A, long4: UInt8 = 0x8B
    // protocol 3
    static let binbytes: UInt8 = 0x42, shortBinbytes: UInt8 = 0x43
    // protocol 4
    static let shortBinunicode: UInt8 = 0x8C, binunicode8: UInt8 = 0x8D, binbytes8: UInt8 = 0x8E
    static let emptySet: UInt8 = 0x8F, additems: UInt8 = 0x90, frozenset: UInt8 = 0x91, newobjEx: UInt8 = 0x92
    static let stackGlobal: UInt8 = 0x93, memoize: UInt8 = 0x94, frame: UInt8 = 0x95
    // protocol 5
    static let bytearray8: UInt8 = 0x96, nextBuffer: UInt8 = 0x97, readonlyBuffer: UInt8 = 0x98
}

extension Unpickler {
    func execute(_ op: UInt8) throws {
        switch op {
        case Op.proto:
            let v = try reader.byte()
            guard v <= 5 else { throw fail(.malformed("unsupported pickle protocol \(v)")) }
        case Op.frame:
            _ = try reader.uint64()  // frames only group opcodes; lengths are rechecked per opcode
        case Op.mark:
            guard marks.count < options.maxMarks else { throw fail(.tooDeep(options.maxMarks)) }
            marks.append(stack.count)
        case Op.pop:
            if let m = marks.last, m == stack.count { marks.removeLast() } else { _ = try pop("POP") }
        case Op.popMark: _ = try popMark("POP_MARK")
        case Op.dup: push(try top("DUP"))

        // Scalars
        case Op.none: push(.none)
        case Op.newtrue: push(.bool(true))
        case Op.newfalse: push(.bool(false))
        case Op.binint: push(.int(Int(Int32(bitPattern: try reader.uint32()))))
        case Op.binint1: push(.int(Int(try reader.byte())))
        case Op.binint2: push(.int(Int(try reader.uint16())))
        case Op.long1: push(try readLong(Int(try reader.byte())))
        case Op.long4:
            let n = Int(Int32(bitPattern: try reader.uint32()))
            push(try readLong(n))
        case Op.binfloat:
            push(.float(Double(bitPattern: try reader.withBytes(8) { raw in
                (0..<8).reduce(UInt64(0)) { $0 << 8 | UInt64(raw[$1]) }  // big-endian
            })))
        case Op.int: push(try textInt(try reader.line(), allowBool: true))
        case Op.long:
            var line = try reader.line()
            if line.last == UInt8(ascii: "L") { line.removeLast() }
            push(try textInt(line, allowBool: false))
        case Op.float:
            let line = try reader.line()
            guard let d = Double(String(decoding: line, as: UTF8.self)) else {
                throw fail(.malformed("FLOAT: bad number \(String(decoding: line, as: UTF8.self))"))
            }
            push(.float(d))

        // Strings and bytes
        case Op.shortBinunicode: push(try readUnicode(Int(try reader.byte())))
        case Op.binunicode: push(try readUnicode(Int(try reader.uint32())))
        case Op.binunicode8: push(try readUnicode(try length64()))
        case Op.shortBinbytes: push(.bytes(try reader.bytes(Int(try reader.byte()))))
        case Op.binbytes: push(.bytes(try reader.bytes(Int(try reader.uint32()))))
        case Op.binbytes8, Op.bytearray8: push(.bytes(try reader.bytes(try length64())))
        case Op.shortBinstring: push(py2String(try reader.bytes(Int(try reader.byte()))))
        case Op.binstring:
            let n = Int(Int32(bitPattern: try reader.uint32()))
            guard n >= 0 else { throw fail(.tooLarge("negative BINSTRING length \(n)")) }
            push(py2String(try reader.bytes(n)))
        case Op.string: push(py2String(try unquote(try reader.line(limit: 1 << 30))))
        case Op.unicode: push(.string(try rawUnicodeEscape(try reader.line(limit: 1 << 30))))

        // Containers
        case Op.emptyList: push(.list(PickleList()))
        case Op.emptyDict: push(.dict(PickleDict()))
        case Op.emptySet: push(.set(PickleSet([], frozen: false)))
        case Op.emptyTuple: push(.tuple([]))
        case Op.tuple: push(try makeTuple(try popMark("TUPLE")))
        case Op.tuple1:
            let a = try pop("TUPLE1")
            push(try makeTuple([a]))
        case Op.tuple2:
            let b = try pop("TUPLE2"), a = try pop("TUPLE2")
            push(try makeTuple([a, b]))
        case Op.tuple3:
            let c = try pop("TUPLE3"), b = try pop("TUPLE3"), a = try pop("TUPLE3")
            push(try makeTuple([a, b, c]))
        case Op.list:
            let items = try popMark("LIST")
            let l = PickleList()
            try appendItems(items, to: .list(l), "LIST")
            push(.list(l))
        case Op.dict:
            let items = try popMark("DICT")
            let d = PickleDict()
            try setItems(items[...], into: .dict(d), "DICT")
            push(.dict(d))
        case Op.frozenset:
            let items = try popMark("FROZENSET")
            let s = PickleSet([], frozen: true)
            try appendItems(items, to: .set(s), "FROZENSET")
            push(.set(s))
        case Op.append:
            let v = try pop("APPEND")
            try appendItems([v], to: try top("APPEND"), "APPEND")
        case Op.appends, Op.additems:
            let items = try popMark(op == Op.appends ? "APPENDS" : "ADDITEMS")
            try appendItems(items, to: try top("APPENDS"), "APPENDS")
        case Op.setitem:
            let v = try pop("SETITEM"), k = try pop("SETITEM")
            try setItems([k, v][...], into: try top("SETITEM"), "SETITEM")
        case Op.setitems:
            guard let m = marks.popLast() else { throw fail(.stackUnderflow("SETITEMS without MARK")) }
            guard m >= 1, m - 1 >= (marks.last ?? 0), m <= stack.count else { throw fail(.stackUnderflow("SETITEMS")) }
            try setItemsFromStack(mark: m)

        // Memo
        case Op.binput: try memoPut(Int(try reader.byte()))
        case Op.longBinput: try memoPut(Int(try reader.uint32()))
        case Op.put: try memoPut(try textIndex(try reader.line()))
        case Op.memoize: try memoPut(memo.count)
        case Op.binget: try memoGet(Int(try reader.byte()))
        case Op.longBinget: try memoGet(Int(try reader.uint32()))
        case Op.get: try memoGet(try textIndex(try reader.line()))

        // Globals and objects (allow-listed; see Globals.swift)
        case Op.global:
            let module = String(decoding: try reader.line(limit: 1024), as: UTF8.self)
            let name = String(decoding: try reader.line(limit: 1024), as: UTF8.self)
            push(try resolveGlobal(module: module, name: name))
        case Op.stackGlobal:
            let n = try pop("STACK_GLOBAL"), m = try pop("STACK_GLOBAL")
            guard case .string(let name) = n, case .string(let module) = m else {
                throw fail(.malformed("STACK_GLOBAL needs two strings"))
            }
            push(try resolveGlobal(module: module, name: name))
        case Op.inst:
            let module = String(decoding: try reader.line(limit: 1024), as: UTF8.self)
            let name = String(decoding: try reader.line(limit: 1024), as: UTF8.self)
            let callable = try resolveGlobal(module: module, name: name)
            push(try call(callable, try popMark("INST")))
        case Op.obj:
            var items = try popMark("OBJ")
            guard !items.isEmpty else { throw fail(.stackUnderflow("OBJ")) }
            let callable = items.removeFirst()
            push(try call(callable, items))
        case Op.reduce, Op.newobj:
            let args = try pop("REDUCE"), callable = try pop("REDUCE")
            guard case .tuple(let a) = args else { throw fail(.malformed("REDUCE arguments are \(args.typeName), not a tuple")) }
            push(try call(callable, a))
        case Op.newobjEx:
            let kwargs = try pop("NEWOBJ_EX"), args = try pop("NEWOBJ_EX"), callable = try pop("NEWOBJ_EX")
            guard case .tuple(let a) = args else { throw fail(.malformed("NEWOBJ_EX arguments are not a tuple")) }
            if let d = kwargs.dict, d.count > 0 { throw fail(.malformed("NEWOBJ_EX with keyword arguments")) }
            push(try call(callable, a))
        case Op.build:
            let state = try pop("BUILD")
            try build(try top("BUILD"), state: state)
        case Op.binpersid:
            push(try persistent(try pop("BINPERSID")))
        case Op.persid:
            push(try persistent(.string(String(decoding: try reader.line(), as: UTF8.self))))
        case Op.ext1, Op.ext2, Op.ext4:
            throw fail(.refusedGlobal("copyreg extension code (EXT opcodes are not supported)"))
        case Op.nextBuffer:
            throw fail(.malformed("NEXT_BUFFER: out-of-band buffers are not supported"))
        case Op.readonlyBuffer:
            _ = try top("READONLY_BUFFER")
        default:
            throw fail(.unknownOpcode(op))
        }
    }

    func persistent(_ pid: PickleValue) throws -> PickleValue {
        guard let persistentLoad else {
            throw fail(.malformed("persistent id \(pid.shortDescription) in a plain pickle"))
        }
        do { return try persistentLoad(pid) } catch let e as PickleError {
            throw e
        } catch {
            throw fail(.malformed("persistent id \(pid.shortDescription): \(error)"))
        }
    }

    func length64() throws -> Int {
        let n = try reader.uint64()
        guard n <= UInt64(Int.max) else { throw fail(.tooLarge("\(n) bytes")) }
        return Int(n)
    }

    func readLong(_ n: Int) throws -> PickleValue {
        guard n >= 0 else { throw fail(.tooLarge("negative LONG length \(n)")) }
        if n == 0 { return .int(0) }
        let b = try reader.bytes(n)
        let negative = b[n - 1] & 0x80 != 0
        // Fits in 64 bits if every byte beyond the 8th is pure sign extension.
        let signByte: UInt8 = negative ? 0xFF : 0
        if n <= 8 || (b[8...].allSatisfy { $0 == signByte } && (b[7] & 0x80 != 0) == negative) {
            var v: UInt64 = negative ? ~0 : 0
            for i in 0..<min(n, 8) {
                v &= ~(UInt64(0xFF) << (8 * UInt64(i)))
                v |= UInt64(b[i]) << (8 * UInt64(i))
            }
            return .int(Int(Int64(bitPattern: v)))
        }
        return .bigInt(PickleBigInt(littleEndianBytes: b))
    }

    func readUnicode(_ n: Int) throws -> PickleValue {
        if n <= 1 << 20 {
            return .string(try reader.withBytes(n) { String(decoding: $0, as: UTF8.self) })
        }
        return .string(String(decoding: try reader.bytes(n), as: UTF8.self))
    }

    func py2String(_ b: [UInt8]) -> PickleValue {
        switch options.python2Strings {
        case .bytes: return .bytes(b)
        case .latin1: return .string(String(latin1: b))
        }
    }

    func textIndex(_ line: [UInt8]) throws -> Int {
        guard let i = Int(String(decoding: line, as: UTF8.self)) else {
            throw fail(.malformed("bad memo index \(String(decoding: line, as: UTF8.self))"))
        }
        return i
    }

    func textInt(_ line: [UInt8], allowBool: Bool) throws -> PickleValue {
        let s = String(decoding: line, as: UTF8.self)
        if allowBool && s == "00" { return .bool(false) }
        if allowBool && s == "01" { return .bool(true) }
        if let i = Int(s) { return .int(i) }
        guard let big = PickleBigInt(decimal: s) else { throw fail(.malformed("bad text integer \(s.prefix(40))")) }
        return .bigInt(big)
    }

    /// Undoes Python 2's repr() of a str: quotes plus \\, \', \", \n, \r, \t, \xNN escapes.
    func unquote(_ line: [UInt8]) throws -> [UInt8] {
        guard line.count >= 2, let q = line.first, q == line.last, q == 0x27 || q == 0x22 else {
            throw fail(.malformed("STRING is not quoted"))
        }
        var out: [UInt8] = []
        var i = 1
        let end = line.count - 1
        while i < end {
            let c = line[i]
            if c != 0x5C { out.append(c); i += 1; continue }
            guard i + 1 < end else { throw fail(.malformed("STRING ends in a backslash")) }
            let e = line[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "x"):
                guard i + 2 <= end, let v = UInt8(String(decoding: line[i..<i + 2], as: UTF8.self), radix: 16) else {
                    throw fail(.malformed("STRING: bad \\x escape"))
                }
                out.append(v); i += 2
            default: out.append(e)
            }
        }
        return out
    }

    /// Decodes raw-unicode-escape (protocol 0 UNICODE): \uXXXX and \UXXXXXXXX, other bytes latin-1.
    func rawUnicodeEscape(_ line: [UInt8]) throws -> String {
        var s = String.UnicodeScalarView()
        var i = 0
        while i < line.count {
            let c = line[i]
            if c == 0x5C, i + 1 < line.count, line[i + 1] == UInt8(ascii: "u") || line[i + 1] == UInt8(ascii: "U") {
                let n = line[i + 1] == UInt8(ascii: "u") ? 4 : 8
                guard i + 2 + n <= line.count,
                      let v = UInt32(String(decoding: line[i + 2..<i + 2 + n], as: UTF8.self), radix: 16),
                      let u = Unicode.Scalar(v) else { throw fail(.malformed("UNICODE: bad escape")) }
                s.append(u); i += 2 + n
            } else {
                s.append(Unicode.Scalar(c)); i += 1
            }
        }
        return String(s)
    }
}
