import HDF5
import NASDataIO
import Tensors

/// Dumps any HDF5 file (groups, datasets with dtype, shape, layout and values,
/// attributes, links) as JSON, so other tools (the h5py interop tests) can compare
/// what nasdata reads with what they wrote.
enum TreeDump {
    static func dump(_ file: File, maxValues: Int) throws -> JSONValue {
        .object([("file", .string(file.filePath)), ("root", try group(file, maxValues: maxValues))])
    }

    static func group(_ group: Group, maxValues: Int) throws -> JSONValue {
        var members: [(String, JSONValue)] = []
        for (name, kind) in try group.members() {
            switch kind {
            case .group: members.append((name, try self.group(try group.openGroup(name), maxValues: maxValues)))
            case .dataset: members.append((name, try dataset(try group.openDataset(name), maxValues: maxValues)))
            case .externalLink(let file, let path):
                members.append((name, .object([("kind", .string("externalLink")), ("file", .string(file)), ("path", .string(path))])))
            case .namedDatatype: members.append((name, .object([("kind", .string("namedDatatype"))])))
            case .unresolvedLink: members.append((name, .object([("kind", .string("unresolvedLink"))])))
            }
        }
        return .object([("kind", .string("group")), ("attributes", try attributes(group)), ("members", .object(members))])
    }

    static func dataset(_ ds: Dataset, maxValues: Int) throws -> JSONValue {
        let layout = try ds.storageLayout()
        var fields: [(String, JSONValue)] = [
            ("kind", .string("dataset")),
            ("dtype", .string("\(ds.elementType)")),
            ("shape", .array(ds.shape.map { .int(Int64($0)) })),
            ("maxShape", .array(ds.maxShape.map { $0.map { .int(Int64($0)) } ?? .null })),
            ("chunks", layout.chunks.map { .array($0.map { .int(Int64($0)) }) } ?? .null),
            ("shuffle", .bool(layout.shuffle)),
            ("deflate", layout.deflate.map { .int(Int64($0)) } ?? .null),
            ("attributes", try attributes(ds)),
        ]
        if ds.elementCount <= maxValues {
            fields.append(("values", try values(ds)))
        }
        return .object(fields)
    }

    /// The values flattened in C order.
    static func values(_ ds: Dataset) throws -> JSONValue {
        switch ds.elementType {
        case .string: return .array(try ds.readStrings().map { .string($0) })
        case .numeric(let dtype):
            let t = try ds.readTensor()
            switch dtype {
            case .float64: return .array(t.scalars(as: Double.self).map { .double($0) })
            case .float32, .float16, .bfloat16: return .array(t.floatValues().map { .float($0) })
            case .bool: return .array(t.bytes.map { .bool($0 != 0) })
            case .uint8: return .array(t.scalars(as: UInt8.self).map { .int(Int64($0)) })
            case .int8: return .array(t.scalars(as: Int8.self).map { .int(Int64($0)) })
            case .int16: return .array(t.scalars(as: Int16.self).map { .int(Int64($0)) })
            case .int32: return .array(t.scalars(as: Int32.self).map { .int(Int64($0)) })
            case .int64: return .array(t.scalars(as: Int64.self).map { .int($0) })
            }
        case .other: return .null
        }
    }

    static func attributes(_ object: Object) throws -> JSONValue {
        .object(try object.attributeNames().map { name in
            guard let value = try object.attribute(name) else { return (name, .null) }
            return (name, json(value))
        })
    }

    static func json(_ value: AttributeValue) -> JSONValue {
        switch value {
        case .int(let v): return .int(v)
        case .double(let v): return .double(v)
        case .string(let v): return .string(v)
        case .ints(let v): return .array(v.map { .int($0) })
        case .doubles(let v): return .array(v.map { .double($0) })
        case .strings(let v): return .array(v.map { .string($0) })
        }
    }
}
