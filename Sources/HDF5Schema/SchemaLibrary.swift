import Foundation
import HDF5

/// The `Schemas/` directory: finds schemas by name and version.
///
/// Located as: `$NASDATA_SCHEMAS` if set, else the first `Schemas` folder found
/// walking up from the running executable's directory (the binary lives in
/// `<repo>/.build/...`). Files are named `<name>.v<version>.json`.
public struct SchemaLibrary: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SchemaLibrary {
        if let dir = environment["NASDATA_SCHEMAS"], !dir.isEmpty {
            guard isDirectory(dir) else {
                throw SchemaError(file: dir, location: "", message: "NASDATA_SCHEMAS does not name a directory")
            }
            return SchemaLibrary(directory: dir)
        }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: executable).deletingLastPathComponent().standardizedFileURL
        while true {
            let candidate = dir.appendingPathComponent("Schemas").path
            if isDirectory(candidate) { return SchemaLibrary(directory: candidate) }
            if dir.path == "/" || dir.path.isEmpty { break }
            dir.deleteLastPathComponent()
        }
        throw SchemaError(file: executable, location: "",
                          message: "no Schemas directory found above the executable; set NASDATA_SCHEMAS or pass --schema-file")
    }

    /// Every schema file present, as (name, version), sorted.
    public func available() -> [(name: String, version: Int)] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
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
            throw SchemaError(file: directory, location: "", message: "no schema named \"\(name)\" (available: \(known))")
        }
        guard versions.contains(chosen) else {
            throw SchemaError(file: directory, location: "",
                              message: "schema \"\(name)\" has no version \(chosen) (available: \(versions.sorted().map(String.init).joined(separator: ", ")))")
        }
        let path = directory + "/\(name).v\(chosen).json"
        let schema = try Schema.load(file: path)
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
