import CHDF5

/// An attribute's value: scalar or 1-D; 64-bit integers, doubles or UTF-8 strings.
/// Reading widens any stored integer to `Int64` and any float to `Double`.
public enum AttributeValue: Equatable, Sendable, CustomStringConvertible,
                            ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    case int(Int64)
    case double(Double)
    case string(String)
    case ints([Int64])
    case doubles([Double])
    case strings([String])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }

    public var intValue: Int64? { if case .int(let v) = self { return v }; return nil }
    public var stringValue: String? { if case .string(let v) = self { return v }; return nil }
    /// A double, also from an integer attribute.
    public var doubleValue: Double? {
        switch self {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: return nil
        }
    }
    public var intsValue: [Int64]? { if case .ints(let v) = self { return v }; return nil }
    public var doublesValue: [Double]? {
        switch self {
        case .doubles(let v): return v
        case .ints(let v): return v.map(Double.init)
        default: return nil
        }
    }
    public var stringsValue: [String]? { if case .strings(let v) = self { return v }; return nil }

    /// The type name used in schemas: int, double, string, ints, doubles, strings.
    public var typeName: String {
        switch self {
        case .int: return "int"
        case .double: return "double"
        case .string: return "string"
        case .ints: return "ints"
        case .doubles: return "doubles"
        case .strings: return "strings"
        }
    }

    public var description: String {
        switch self {
        case .int(let v): return "\(v)"
        case .double(let v): return "\(v)"
        case .string(let v): return "\"\(v)\""
        case .ints(let v): return "\(v)"
        case .doubles(let v): return "\(v)"
        case .strings(let v): return "\(v)"
        }
    }
}

extension Object {
    /// Sets (creating or replacing) the attribute `name`.
    public func setAttribute(_ name: String, _ value: AttributeValue) throws {
        try ensureOpen()
        let where_ = "\(self.name)@\(name)"
        if H5Aexists(id, name) > 0, H5Adelete(id, name) < 0 {
            throw error(.writeFailed, where_, "cannot replace the attribute")
        }
        _ = ErrorStack.takeCurrent()
        let scalarShape: [Int]? = {
            switch value {
            case .int, .double, .string: return nil
            case .ints(let v): return [v.count]
            case .doubles(let v): return [v.count]
            case .strings(let v): return [v.count]
            }
        }()
        let space = try Dataspace.simple(scalarShape ?? [], file: filePath, object: where_)
        let type: Handle
        switch value {
        case .int, .ints: type = try TypeMapping.type(of: .int64, file: filePath, object: where_)
        case .double, .doubles: type = try TypeMapping.type(of: .float64, file: filePath, object: where_)
        case .string, .strings: type = try TypeMapping.variableString(file: filePath, object: where_)
        }
        let aid = H5Acreate2(id, name, type.id, space.id, nd_H5P_DEFAULT(), nd_H5P_DEFAULT())
        guard aid >= 0 else { throw error(.writeFailed, where_, "cannot create the attribute") }
        let attr = Handle.attribute(aid)
        let status: herr_t
        switch value {
        case .int(let v): status = withUnsafeBytes(of: v) { H5Awrite(attr.id, type.id, $0.baseAddress) }
        case .double(let v): status = withUnsafeBytes(of: v) { H5Awrite(attr.id, type.id, $0.baseAddress) }
        case .ints(let v): status = v.withUnsafeBytes { H5Awrite(attr.id, type.id, $0.baseAddress) }
        case .doubles(let v): status = v.withUnsafeBytes { H5Awrite(attr.id, type.id, $0.baseAddress) }
        case .string(let v): status = try StringCodec.withCStrings([v]) { H5Awrite(attr.id, type.id, $0) }
        case .strings(let v): status = try StringCodec.withCStrings(v) { H5Awrite(attr.id, type.id, $0) }
        }
        guard status >= 0 else { throw error(.writeFailed, where_, "cannot write the attribute") }
    }

    /// The attribute `name`, or nil if there is none.
    public func attribute(_ name: String) throws -> AttributeValue? {
        try ensureOpen()
        let where_ = "\(self.name)@\(name)"
        let exists = H5Aexists(id, name)
        guard exists >= 0 else { throw error(.failed, where_, "cannot look up the attribute") }
        guard exists > 0 else { return nil }
        let aid = H5Aopen(id, name, nd_H5P_DEFAULT())
        guard aid >= 0 else { throw error(.failed, where_, "cannot open the attribute") }
        let attr = Handle.attribute(aid)
        let stored = H5Aget_type(attr.id)
        guard stored >= 0 else { throw error(.failed, where_, "cannot read the attribute's type") }
        let storedType = Handle.datatype(stored)
        let spaceID = H5Aget_space(attr.id)
        guard spaceID >= 0 else { throw error(.failed, where_, "cannot read the attribute's dataspace") }
        let space = Handle.dataspace(spaceID)
        let (shape, _) = Dataspace.extent(of: space.id)
        guard shape.count <= 1 else {
            throw HDF5Error(.unsupported, file: filePath, object: where_, "attribute of rank \(shape.count); only scalar and 1-D are supported")
        }
        let isScalar = shape.isEmpty
        let n = isScalar ? 1 : shape[0]
        func readFailed() -> HDF5Error { error(.failed, where_, "cannot read the attribute") }

        switch H5Tget_class(storedType.id) {
        case H5T_INTEGER:
            let mem = try TypeMapping.type(of: .int64, file: filePath, object: where_)
            var values = [Int64](repeating: 0, count: n)
            guard n == 0 || values.withUnsafeMutableBytes({ H5Aread(attr.id, mem.id, $0.baseAddress) }) >= 0 else { throw readFailed() }
            return isScalar ? .int(values[0]) : .ints(values)
        case H5T_FLOAT:
            let mem = try TypeMapping.type(of: .float64, file: filePath, object: where_)
            var values = [Double](repeating: 0, count: n)
            guard n == 0 || values.withUnsafeMutableBytes({ H5Aread(attr.id, mem.id, $0.baseAddress) }) >= 0 else { throw readFailed() }
            return isScalar ? .double(values[0]) : .doubles(values)
        case H5T_STRING:
            let mem = H5Tcopy(storedType.id)
            guard mem >= 0 else { throw readFailed() }
            defer { H5Tclose(mem) }
            let strings = try StringCodec.read(count: n, type: mem, file: filePath, object: where_) { buffer in
                guard H5Aread(attr.id, mem, buffer) >= 0 else { throw readFailed() }
            }
            return isScalar ? .string(strings.first ?? "") : .strings(strings)
        default:
            throw HDF5Error(.unsupported, file: filePath, object: where_,
                            "attribute of type \(TypeMapping.elementType(of: storedType.id)) is not supported")
        }
    }

    /// Names of this object's attributes, in HDF5's name order.
    public func attributeNames() throws -> [String] {
        try ensureOpen()
        final class Names { var items: [String] = [] }
        let names = Names()
        let status = withExtendedLifetime(names) {
            H5Aiterate2(id, H5_INDEX_NAME, H5_ITER_INC, nil, { _, name, _, data in
                guard let name, let data else { return 0 }
                Unmanaged<Names>.fromOpaque(data).takeUnretainedValue().items.append(String(cString: name))
                return 0
            }, Unmanaged.passUnretained(names).toOpaque())
        }
        guard status >= 0 else { throw error(.failed, nil, "cannot list the attributes") }
        return names.items
    }

    /// Removes the attribute `name` (no error if absent).
    public func deleteAttribute(_ name: String) throws {
        try ensureOpen()
        if H5Aexists(id, name) > 0, H5Adelete(id, name) < 0 {
            throw error(.failed, "\(self.name)@\(name)", "cannot delete the attribute")
        }
    }
}
