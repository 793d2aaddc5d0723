import Foundation
import HDF5

/// Compares an HDF5 file with a `Schema` and lists every deviation (not just the first).
///
///     let deviations = try SchemaChecker.check(file: "out.h5", schema: schema)
///     XCTAssertEqual(deviations, [])
public enum SchemaChecker {
    /// Opens `path` read-only and checks it. Throws only if the file cannot be opened.
    public static func check(file path: String, schema: Schema) throws -> [Deviation] {
        let file = try File.open(path)
        defer { file.close() }
        return try check(file: file, schema: schema)
    }

    /// `check-schema`: opens `path` and checks it against the schema in `schemaFile`, else the
    /// library's schema `named` (`NAME` or `NAME.vN`), else the one the file's root attributes
    /// name. Returns the schema used and every deviation.
    public static func check(file path: String, schemaFile: String? = nil, named: String? = nil)
        throws -> (schema: Schema, deviations: [Deviation]) {
        let file = try File.open(path)
        defer { file.close() }
        let schema: Schema
        if let schemaFile {
            schema = try Schema.load(file: schemaFile)
        } else if let named {
            schema = try SchemaLibrary.locate().schema(named: named)
        } else {
            schema = try SchemaLibrary.locate().schema(for: file)
        }
        return (schema, try check(file: file, schema: schema))
    }

    /// Checks an open file, including the root attributes `nasdata_schema` (= the
    /// schema's name) and `nasdata_schema_version` (= its version).
    public static func check(file: File, schema: Schema) throws -> [Deviation] {
        var run = Run()
        var root = schema.root
        root.attributes["nasdata_schema"] = root.attributes["nasdata_schema"]
            ?? AttributeSpec(type: "string", required: true, values: nil, length: nil)
        root.attributes["nasdata_schema_version"] = root.attributes["nasdata_schema_version"]
            ?? AttributeSpec(type: "int", required: true, values: nil, length: nil)
        root.attributes["nasdata_schema"]?.values = [schema.name]
        root.attributes["nasdata_schema_version"]?.values = [String(schema.version)]
        run.group(file, root)
        return run.deviations
    }
}

/// One checking pass; collects deviations as it walks.
private struct Run {
    var deviations: [Deviation] = []

    mutating func add(_ path: String, _ message: String) {
        deviations.append(Deviation(path: path, message: message))
    }

    mutating func group(_ group: Group, _ spec: GroupSpec) {
        attributes(of: group, spec.attributes)
        let names: [String]
        do { names = try group.memberNames() } catch {
            add(group.name, "cannot list the members: \((error as? HDF5Error)?.message ?? "\(error)")")
            return
        }
        var matched = Set<String>()
        for member in spec.members {
            switch member.selector {
            case .name(let name):
                if names.contains(name) {
                    matched.insert(name)
                    self.member(name, in: group, member)
                } else if member.required {
                    add(group.path(child: name), "missing required \(member.kind.noun)")
                }
            case .pattern(let pattern):
                let regex = try? NSRegularExpression(pattern: "^(?:\(pattern))$")
                let hits = names.filter { name in
                    regex?.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
                }
                matched.formUnion(hits)
                let minimum = member.minCount ?? (member.required ? 1 : 0)
                if hits.count < minimum {
                    add(group.name, "expected at least \(minimum) \(member.kind.noun)(s) named like /\(pattern)/, found \(hits.count)")
                }
                if let maximum = member.maxCount, hits.count > maximum {
                    add(group.name, "expected at most \(maximum) \(member.kind.noun)(s) named like /\(pattern)/, found \(hits.count)")
                }
                for name in hits { self.member(name, in: group, member) }
            }
        }
        if !spec.additionalMembers {
            for name in names where !matched.contains(name) {
                let kind = (try? group.kind(of: name)).flatMap { $0 }.map { "\($0)" } ?? "member"
                add(group.path(child: name), "unexpected \(kind) (the schema allows no other members here)")
            }
        }
    }

    mutating func member(_ name: String, in group: Group, _ spec: MemberSpec) {
        let path = group.path(child: name)
        let actual = (try? group.kind(of: name)).flatMap { $0 }
        switch spec.kind {
        case .externalLink(let target):
            guard case .externalLink(_, let linkPath)? = actual else {
                add(path, "expected an external link, found \(actual.map { "a \($0)" } ?? "nothing")")
                return
            }
            if let target, target != linkPath { add(path, "external link points to \(linkPath), expected \(target)") }
        case .group(let groupSpec):
            do { self.group(try group.openGroup(name), groupSpec) } catch {
                add(path, "expected a group: \(reason(error, actual))")
            }
        case .dataset(let datasetSpec):
            do { dataset(try group.openDataset(name), in: group, datasetSpec) } catch {
                add(path, "expected a dataset: \(reason(error, actual))")
            }
        }
    }

    func reason(_ error: Error, _ actual: MemberKind?) -> String {
        if case .externalLink(let file, let path)? = actual { return "external link to \(file):\(path) does not resolve to one" }
        return (error as? HDF5Error)?.message ?? "\(error)"
    }

    mutating func dataset(_ ds: Dataset, in group: Group, _ spec: DatasetSpec) {
        let path = ds.name
        let type: String
        switch ds.elementType {
        case .numeric(let d): type = d.rawValue
        case .string: type = "string"
        case .other(let name): type = name
        }
        if !spec.dtypes.contains(type) {
            add(path, "element type is \(type), expected \(spec.dtypes.joined(separator: " or "))")
        }
        let shape = ds.shape
        if let rank = spec.rank, shape.count != rank {
            add(path, "rank is \(shape.count) (shape \(shape)), expected \(rank)")
        } else {
            for (d, want) in (spec.shape ?? []).enumerated() {
                if let want, shape[d] != want { add(path, "dimension \(d) is \(shape[d]), expected \(want) (shape \(shape))") }
            }
            for (d, low) in (spec.minShape ?? []).enumerated() {
                if let low, shape[d] < low { add(path, "dimension \(d) is \(shape[d]), expected at least \(low)") }
            }
        }
        if let sibling = spec.sameFirstDimensionAs {
            do {
                let other = try group.openDataset(sibling)
                if other.shape.first != shape.first {
                    add(path, "first dimension \(shape.first.map(String.init) ?? "none") differs from \(other.name)'s \(other.shape.first.map(String.init) ?? "none")")
                }
            } catch {
                add(path, "cannot compare the first dimension with \(sibling): \((error as? HDF5Error)?.message ?? "\(error)")")
            }
        }
        if spec.chunked != nil || spec.compressed != nil {
            do {
                let layout = try ds.storageLayout()
                if let chunked = spec.chunked, chunked != (layout.chunks != nil) {
                    add(path, chunked ? "is not chunked, expected chunked" : "is chunked, expected contiguous")
                }
                if let compressed = spec.compressed, compressed != (layout.deflate != nil) {
                    add(path, compressed ? "is not deflate-compressed, expected compressed" : "is compressed, expected uncompressed")
                }
            } catch {
                add(path, "cannot read the storage layout: \(error)")
            }
        }
        attributes(of: ds, spec.attributes)
    }

    mutating func attributes(of object: Object, _ specs: [String: AttributeSpec]) {
        for (name, spec) in specs.sorted(by: { $0.key < $1.key }) {
            let path = "\(object.name)@\(name)"
            let value: AttributeValue?
            do { value = try object.attribute(name) } catch {
                add(path, "unreadable attribute: \((error as? HDF5Error)?.message ?? "\(error)")")
                continue
            }
            guard let value else {
                if spec.required { add(path, "missing required attribute (\(spec.type))") }
                continue
            }
            let typeOK: Bool
            switch spec.type {
            case "number": typeOK = value.typeName == "int" || value.typeName == "double"
            case "numbers": typeOK = value.typeName == "ints" || value.typeName == "doubles"
            default: typeOK = value.typeName == spec.type
            }
            guard typeOK else {
                add(path, "attribute is \(value.typeName) \(value), expected \(spec.type)")
                continue
            }
            if let allowed = spec.values {
                let text: String
                switch value {
                case .int(let v): text = String(v)
                case .double(let v): text = v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
                case .string(let v): text = v
                default: text = "\(value)"
                }
                if !allowed.contains(text) {
                    add(path, "attribute is \(value), expected \(allowed.count == 1 ? allowed[0] : "one of \(allowed)")")
                }
            }
            if let length = spec.length {
                let count: Int?
                switch value {
                case .ints(let v): count = v.count
                case .doubles(let v): count = v.count
                case .strings(let v): count = v.count
                default: count = nil
                }
                if let count, count != length { add(path, "attribute has \(count) elements, expected \(length)") }
            }
        }
    }
}

extension MemberSpec.Kind {
    var noun: String {
        switch self {
        case .group: return "group"
        case .dataset: return "dataset"
        case .externalLink: return "external link"
        }
    }
}

extension Object {
    func path(child: String) -> String { name == "/" ? "/" + child : name + "/" + child }
}
