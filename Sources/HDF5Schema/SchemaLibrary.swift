import Foundation
import EmbeddedFiles
import HDF5

/// The layout schemas (`Schemas/<name>.v<version>.json`): finds them by name and version.
///
/// By default (`locate()`) they are the copies built into the executable (module
/// EmbeddedFiles, generated from the repository's `Schemas/`), so a `nasdata` binary
/// copied anywhere checks exactly what the one in `.build/` does. `$NASDATA_SCHEMAS`
/// (or `init(directory:)`) reads them from a folder instead, for schemas being edited.
public struct SchemaLibrary: Sendable {
    public enum Source: Sendable, Equatable {
        case directory(String)
        /// The schemas built into the executable.
        case embedded
    }

    public let source: Source

    /// The folder schemas are read from; nil for the embedded ones.
    public var directory: String? {
        if case .directory(let dir) = source { return dir }
        return nil
    }

    public init(directory: String) { source = .directory(directory) }

    /// The schemas built into the executable.
    public static let embedded = SchemaLibrary(source: .embedded)

    private init(source: Source) { self.source = source }

    /// `$NASDATA_SCHEMAS` if set, else the embedded schemas.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SchemaLibrary {
        if let dir = environment["NASDATA_SCHEMAS"], !dir.isEmpty {
            guard isDirectory(dir) else {
                throw SchemaError(file: dir, location: "", message: "NASDATA_SCHEMAS does not name a directory")
            }
            return SchemaLibrary(directory: dir)
        }
        return .embedded
    }

    /// Where the schemas come from, for messages.
    private var origin: String { directory ?? "the schemas built into nasdata" }

    /// Every schema file present, as (name, version), sorted.
    public func available() -> [(name: String, version: Int)] {
        let files: [String]
        switch source {
        case .directory(let dir): files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        case .embedded: files = EmbeddedFiles.names(in: "Schemas")
        }
        return files.compactMap(Self.parseFileName).sorted { ($0.name, $0.version) < ($1.name, $1.version) }
    }

    /// The schema `name` at `version`, or its newest version when `version` is nil.
    /// `name` may also carry the version: "nasdata-selftest.v1".
    public func schema(named name: String, version: Int? = nil) throws -> Schema {
        var name = name, version = version
        if let parsed = Self.parseFileName(name + ".json") { name = parsed.name; version = version ?? parsed.version }
        let versions = available().filter { $0.name == name }.map(\.version)
        guard let chosen = version ?? versions.max() else {
            let known = Set(available().map(\.name)).sorted().joined(separator: ", ")
            throw SchemaError(file: origin, location: "", message: "no schema named \"\(name)\" (available: \(known))")
        }
        guard versions.contains(chosen) else {
            throw SchemaError(file: origin, location: "",
                              message: "schema \"\(name)\" has no version \(chosen) (available: \(versions.sorted().map(String.init).joined(separator: ", ")))")
        }
        let fileName = "\(name).v\(chosen).json"
        let path: String, schema: Schema
        switch source {
        case .directory(let dir):
            path = dir + "/" + fileName
            schema = try Schema.load(file: path)
        case .embedded:
            path = "Schemas/\(fileName) (built into nasdata)"
            guard let bytes = EmbeddedFiles.bytes("Schemas/" + fileName) else {
                throw SchemaError(file: path, location: "", message: "missing from the embedded files")
            }
            schema = try Schema.parse(Data(bytes), file: path)
        }
        guard schema.name == name, schema.version == chosen else {
            throw SchemaError(file: path, location: "", message: "declares \(schema.name) v\(schema.version), but its file name says \(name) v\(chosen)")
        }
        return schema
    }

    /// The schema a file names in its root attributes.
    public func schema(for file: File) throws -> Schema {
        guard let name = try file.attribute("nasdata_schema")?.stringValue else {
            throw SchemaError(file: file.filePath, location: "",
                              message: "the file has no string root attribute nasdata_schema; pass --schema NAME")
        }
        let version = try file.attribute("nasdata_schema_version")?.intValue
        return try schema(named: name, version: version.map(Int.init))
    }

    static func parseFileName(_ file: String) -> (name: String, version: Int)? {
        guard file.hasSuffix(".json"), let dot = file.dropLast(5).range(of: ".v", options: .backwards) else { return nil }
        let stem = file.dropLast(5)
        guard let version = Int(stem[dot.upperBound...]) else { return nil }
        return (String(stem[..<dot.lowerBound]), version)
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}
