import Foundation
import Tensors

/// A schema file that does not follow the meta-schema.
public struct SchemaError: Error, CustomStringConvertible, Sendable {
    /// The schema file (or name) involved.
    public var file: String
    /// Where in the JSON ("root.members[2].shape").
    public var location: String
    public var message: String

    public var description: String {
        location.isEmpty ? "\(file): \(message)" : "\(file): \(location): \(message)"
    }
}

extension Schema {
    /// Parses and validates a schema file (unknown keys are errors, so typos surface).
    public static func load(file path: String) throws -> Schema {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SchemaError(file: path, location: "", message: "cannot read the schema file")
        }
        return try parse(data, file: path)
    }

    public static func parse(_ data: Data, file: String) throws -> Schema {
        let json: JSONValue
        do { json = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw SchemaError(file: file, location: "", message: "not valid JSON: \(error.localizedDescription)")
        }
        return try SchemaParser(file: file).schema(json)
    }
}

/// JSON (as Foundation objects) -> `Schema`, with every mistake named by location.
struct SchemaParser {
    let file: String

    func fail(_ location: String, _ message: String) -> SchemaError {
        SchemaError(file: file, location: location, message: message)
    }

    func object(_ value: JSONValue?, _ location: String, allowed: Set<String>) throws -> [String: JSONValue] {
        guard case .object(let dict)? = value else { throw fail(location, "expected a JSON object") }
        for key in dict.keys where !allowed.contains(key) && !key.hasPrefix("$") {
            throw fail(location, "unknown key \"\(key)\" (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
        return dict
    }

    func string(_ value: JSONValue?, _ location: String) throws -> String {
        guard case .string(let s)? = value else { throw fail(location, "expected a string") }
        return s
    }

    func int(_ value: JSONValue?, _ location: String) throws -> Int {
        guard case .number(let n)? = value, n == n.rounded(), n >= 0, n < 1e15 else {
            throw fail(location, "expected a non-negative integer")
        }
        return Int(n)
    }

    func bool(_ value: JSONValue?, _ location: String) throws -> Bool {
        guard case .bool(let b)? = value else { throw fail(location, "expected true or false") }
        return b
    }

    func dims(_ value: JSONValue?, _ location: String) throws -> [Int?] {
        guard case .array(let list)? = value else { throw fail(location, "expected an array of integers or null") }
        return try list.enumerated().map { i, v in v == .null ? nil : try int(v, "\(location)[\(i)]") }
    }

    func schema(_ json: JSONValue) throws -> Schema {
        let top = try object(json, "", allowed: ["schema", "version", "description", "root"])
        let name = try string(top["schema"], "schema")
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw fail("schema", "a schema name is letters, digits, '-' and '_'")
        }
        let version = try int(top["version"], "version")
        guard version >= 1 else { throw fail("version", "versions start at 1") }
        let description = try top["description"].map { try string($0, "description") } ?? ""
        let root = try group(object(top["root"], "root", allowed: Self.groupKeys), "root")
        return Schema(name: name, version: version, description: description, root: root)
    }

    static let groupKeys: Set<String> = ["description", "attributes", "members", "additionalMembers"]
    static let memberKeys: Set<String> = ["name", "pattern", "kind", "required", "minCount", "maxCount", "description"]
    static let datasetKeys: Set<String> = ["dtype", "rank", "shape", "minShape", "sameFirstDimensionAs",
                                           "chunked", "compressed", "attributes"]

    func group(_ dict: [String: JSONValue], _ location: String) throws -> GroupSpec {
        let attributes = try self.attributes(dict["attributes"], "\(location).attributes")
        var members: [MemberSpec] = []
        if let value = dict["members"] {
            guard case .array(let list) = value else { throw fail("\(location).members", "expected an array") }
            members = try list.enumerated().map { try member($1, "\(location).members[\($0)]") }
        }
        let additional = try dict["additionalMembers"].map { try bool($0, "\(location).additionalMembers") } ?? true
        return GroupSpec(attributes: attributes, members: members, additionalMembers: additional)
    }

    func attributes(_ value: JSONValue?, _ location: String) throws -> [String: AttributeSpec] {
        guard let value else { return [:] }
        guard case .object(let dict) = value else { throw fail(location, "expected an object of attribute specs") }
        var out: [String: AttributeSpec] = [:]
        for (name, spec) in dict {
            let loc = "\(location).\(name)"
            let d = try object(spec, loc, allowed: ["type", "required", "values", "length", "description"])
            let type = try string(d["type"], "\(loc).type")
            guard AttributeSpec.types.contains(type) else {
                throw fail("\(loc).type", "unknown attribute type \"\(type)\" (allowed: \(AttributeSpec.types.sorted().joined(separator: ", ")))")
            }
            var values: [String]?
            if let value = d["values"] {
                guard case .array(let list) = value, !list.isEmpty else { throw fail("\(loc).values", "expected a non-empty array") }
                values = list.map(\.text)
            }
            out[name] = AttributeSpec(type: type, required: try d["required"].map { try bool($0, "\(loc).required") } ?? true,
                                      values: values, length: try d["length"].map { try int($0, "\(loc).length") })
        }
        return out
    }

    func member(_ value: JSONValue, _ location: String) throws -> MemberSpec {
        guard case .object(let raw) = value else { throw fail(location, "expected a JSON object") }
        let kindName = try string(raw["kind"], "\(location).kind")
        let extra: Set<String>
        switch kindName {
        case "group": extra = Self.groupKeys
        case "dataset": extra = Self.datasetKeys
        case "externalLink": extra = ["targetPath"]
        default: throw fail("\(location).kind", "kind is group, dataset or externalLink, not \"\(kindName)\"")
        }
        let d = try object(value, location, allowed: Self.memberKeys.union(extra))
        let selector: MemberSpec.Selector
        switch (d["name"], d["pattern"]) {
        case let (name?, nil):
            let n = try string(name, "\(location).name")
            guard !n.isEmpty, !n.contains("/") else { throw fail("\(location).name", "a member name is one path component") }
            selector = .name(n)
        case let (nil, pattern?):
            let p = try string(pattern, "\(location).pattern")
            do { _ = try NSRegularExpression(pattern: p) } catch {
                throw fail("\(location).pattern", "invalid regular expression \"\(p)\"")
            }
            selector = .pattern(p)
        default: throw fail(location, "give exactly one of \"name\" and \"pattern\"")
        }
        let kind: MemberSpec.Kind
        switch kindName {
        case "group": kind = .group(try group(d, location))
        case "dataset": kind = .dataset(try dataset(d, location))
        default: kind = .externalLink(targetPath: try d["targetPath"].map { try string($0, "\(location).targetPath") })
        }
        let minCount = try d["minCount"].map { try int($0, "\(location).minCount") }
        let maxCount = try d["maxCount"].map { try int($0, "\(location).maxCount") }
        if case .name = selector, minCount != nil || maxCount != nil {
            throw fail(location, "minCount/maxCount apply to pattern members only")
        }
        return MemberSpec(selector: selector, kind: kind,
                          required: try d["required"].map { try bool($0, "\(location).required") } ?? true,
                          minCount: minCount, maxCount: maxCount)
    }

    func dataset(_ d: [String: JSONValue], _ location: String) throws -> DatasetSpec {
        var dtypes: [String]
        switch d["dtype"] {
        case .string(let s)?: dtypes = [s]
        case .array(let list)?: dtypes = try list.enumerated().map { try string($1, "\(location).dtype[\($0)]") }
        default: throw fail("\(location).dtype", "expected a dtype name or an array of them")
        }
        for t in dtypes where t != "string" && DType(rawValue: t) == nil {
            throw fail("\(location).dtype", "unknown dtype \"\(t)\" (allowed: string, \(DType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let shape = try d["shape"].map { try dims($0, "\(location).shape") }
        let minShape = try d["minShape"].map { try dims($0, "\(location).minShape") }
        var rank = try d["rank"].map { try int($0, "\(location).rank") }
        for (key, dims) in [("shape", shape), ("minShape", minShape)] {
            guard let dims else { continue }
            if let r = rank, r != dims.count { throw fail("\(location).\(key)", "has \(dims.count) dimensions but rank is \(r)") }
            rank = dims.count
        }
        return DatasetSpec(dtypes: dtypes, rank: rank, shape: shape, minShape: minShape,
                           sameFirstDimensionAs: try d["sameFirstDimensionAs"].map { try string($0, "\(location).sameFirstDimensionAs") },
                           chunked: try d["chunked"].map { try bool($0, "\(location).chunked") },
                           compressed: try d["compressed"].map { try bool($0, "\(location).compressed") },
                           attributes: try attributes(d["attributes"], "\(location).attributes"))
    }
}
