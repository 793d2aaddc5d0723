import Foundation
import XCTest
import Tensors
@testable import HDF5
@testable import HDF5Schema

final class SchemaTests: XCTestCase {
    let library = SchemaLibrary(directory: repositoryRoot().appendingPathComponent("Schemas").path)

    func testEveryShippedSchemaLoads() throws {
        let available = library.available()
        XCTAssertTrue(available.contains { $0.name == "nasdata-selftest" && $0.version == 1 })
        for entry in available {
            let schema = try library.schema(named: entry.name, version: entry.version)
            XCTAssertEqual(schema.name, entry.name)
        }
        XCTAssertEqual(try library.schema(named: "nasdata-selftest.v1").version, 1)
        XCTAssertThrowsError(try library.schema(named: "no-such-schema")) { XCTAssertTrue("\($0)".contains("no-such-schema")) }
        XCTAssertThrowsError(try library.schema(named: "nasdata-selftest", version: 99))
    }

    func testLocateHonoursTheEnvironment() throws {
        let dir = try XCTUnwrap(library.directory)
        XCTAssertEqual(try SchemaLibrary.locate(environment: ["NASDATA_SCHEMAS": dir]).directory, dir)
        XCTAssertThrowsError(try SchemaLibrary.locate(environment: ["NASDATA_SCHEMAS": "/nonexistent"]))
        // Without the variable: the schemas built into the executable.
        XCTAssertEqual(try SchemaLibrary.locate(environment: [:]).source, .embedded)
    }

    func testLoaderNamesMistakes() {
        func error(_ json: String) -> String {
            do { _ = try Schema.parse(Data(json.utf8), file: "t.json"); return "no error" } catch { return "\(error)" }
        }
        let head = #"{"schema": "t", "version": 1, "root": "#
        XCTAssertTrue(error(head + #"{"members": [{"name": "a", "kind": "dataset", "dtype": "float32", "shpe": [1]}]}}"#)
                        .contains("root.members[0]: unknown key \"shpe\""))
        XCTAssertTrue(error(head + #"{"members": [{"name": "a", "kind": "dataset", "dtype": "float33"}]}}"#)
                        .contains("unknown dtype \"float33\""))
        XCTAssertTrue(error(head + #"{"members": [{"name": "a", "pattern": "b", "kind": "group"}]}}"#)
                        .contains("exactly one of"))
        XCTAssertTrue(error(head + #"{"attributes": {"x": {"type": "integer"}}}}"#).contains("unknown attribute type"))
        XCTAssertTrue(error(head + #"{"additionalMembers": 0}}"#).contains("expected true or false"))
        XCTAssertTrue(error(#"{"schema": "t", "version": 1, "root": {"members": [{"name": "a", "kind": "dataset", "dtype": "int32", "rank": 2, "shape": [1]}]}}"#)
                        .contains("rank is 2"))
        XCTAssertTrue(error("{not json").contains("not valid JSON"))
    }

    private let schemaJSON = #"""
    {"schema": "t", "version": 2, "root": {
      "attributes": {"title": {"type": "string"}, "count": {"type": "int", "values": [3]},
                     "scales": {"type": "doubles", "length": 2}, "opt": {"type": "int", "required": false}},
      "additionalMembers": false,
      "members": [
        {"name": "images", "kind": "dataset", "dtype": "uint8", "shape": [null, 3, 4], "chunked": true, "compressed": true},
        {"name": "labels", "kind": "dataset", "dtype": ["int32", "int64"], "rank": 1, "sameFirstDimensionAs": "images",
         "attributes": {"classes": {"type": "strings"}}},
        {"pattern": "cifar10|cifar100", "kind": "group", "minCount": 2,
         "members": [{"name": "x", "kind": "dataset", "dtype": "float32", "minShape": [2]}]},
        {"name": "link", "kind": "externalLink", "targetPath": "/values"},
        {"name": "optional", "kind": "group", "required": false}
      ]}}
    """#

    func testCompliantFileHasNoDeviations() throws {
        let schema = try Schema.parse(Data(schemaJSON.utf8), file: "t.json")
        let dir = TempDir()
        let path = dir.file("ok.h5")
        try File.writeAtomically(to: path) { f in
            try f.setAttribute("nasdata_schema", "t")
            try f.setAttribute("nasdata_schema_version", 2)
            try f.setAttribute("title", "ok")
            try f.setAttribute("count", 3)
            try f.setAttribute("scales", .doubles([1, 2]))
            try f.createDataset("images", dtype: .uint8, shape: [5, 3, 4], chunks: [1, 3, 4], deflate: 1)
            try f.createDataset("labels", dtype: .int64, shape: [5]).setAttribute("classes", .strings(["a"]))
            for name in ["cifar10", "cifar100"] { try f.createDataset("\(name)/x", dtype: .float32, shape: [2]) }
            try f.createExternalLink("link", file: "elsewhere.h5", path: "/values")
        }
        XCTAssertEqual(try SchemaChecker.check(file: path, schema: schema), [])
        // check-schema's entry point: a schema file given, a library name, or the file's own name.
        let schemaPath = dir.file("t.json")
        try Data(schemaJSON.utf8).write(to: URL(fileURLWithPath: schemaPath))
        let byFile = try SchemaChecker.check(file: path, schemaFile: schemaPath)
        XCTAssertEqual(byFile.schema.name, "t")
        XCTAssertEqual(byFile.deviations, [])
        XCTAssertThrowsError(try SchemaChecker.check(file: dir.file("missing.h5"), schemaFile: schemaPath))
        XCTAssertThrowsError(try SchemaChecker.check(file: path, named: "no-such-schema"))
    }

    func testEveryDeviationIsReported() throws {
        let schema = try Schema.parse(Data(schemaJSON.utf8), file: "t.json")
        let dir = TempDir()
        let path = dir.file("bad.h5")
        try File.writeAtomically(to: path) { f in
            try f.setAttribute("nasdata_schema", "t")
            try f.setAttribute("nasdata_schema_version", 1)          // wrong version
            try f.setAttribute("count", 4)                             // wrong value; title missing
            try f.setAttribute("scales", .doubles([1, 2, 3]))          // wrong length
            try f.createDataset("images", dtype: .float32, shape: [5, 3, 5])  // dtype, dim 2, contiguous
            try f.createDataset("labels", dtype: .int32, shape: [4])   // first dim differs, no classes attribute
            try f.createDataset("cifar10/x", dtype: .float32, shape: [1])  // too short; only one such group
            try f.createGroup("link")                                  // not a link
            try f.createDataset("extra", dtype: .uint8, shape: [1])    // not allowed
        }
        let found = try SchemaChecker.check(file: path, schema: schema).map(\.description)
        let expected = [
            "/@nasdata_schema_version: attribute is 1, expected 2",
            "/@count: attribute is 4, expected 3",
            "/@title: missing required attribute (string)",
            "/@scales: attribute has 3 elements, expected 2",
            "/images: element type is float32, expected uint8",
            "/images: dimension 2 is 5, expected 4 (shape [5, 3, 5])",
            "/images: is not chunked, expected chunked",
            "/images: is not deflate-compressed, expected compressed",
            "/labels: first dimension 4 differs from /images's 5",
            "/labels@classes: missing required attribute (strings)",
            "/: expected at least 2 group(s) named like /cifar10|cifar100/, found 1",
            "/cifar10/x: dimension 0 is 1, expected at least 2",
            "/link: expected an external link, found a group",
            "/extra: unexpected dataset (the schema allows no other members here)",
        ]
        for line in expected { XCTAssertTrue(found.contains(line), "missing deviation: \(line)\nfound:\n\(found.joined(separator: "\n"))") }
        XCTAssertEqual(found.count, expected.count, found.joined(separator: "\n"))
    }

    func testSchemaForFileUsesRootAttributes() throws {
        let dir = TempDir()
        let path = dir.file("t.h5")
        try File.writeAtomically(to: path) { f in
            try f.setAttribute("nasdata_schema", "nasdata-selftest-target")
            try f.setAttribute("nasdata_schema_version", 1)
            try f.createDataset("values", dtype: .int32, shape: [3])
        }
        let file = try File.open(path)
        let schema = try library.schema(for: file)
        XCTAssertEqual(schema.name, "nasdata-selftest-target")
        XCTAssertEqual(try SchemaChecker.check(file: file, schema: schema), [])
        let bare = dir.file("bare.h5")
        try File.writeAtomically(to: bare) { _ in }
        XCTAssertThrowsError(try library.schema(for: File.open(bare))) { XCTAssertTrue("\($0)".contains("nasdata_schema")) }
    }
}
