import ArgumentParser
import Foundation
import HDF5Schema
import NASDataIO

/// `nasdata check-schema FILE.h5`: compares a file with its layout schema and
/// lists every deviation. Exit status: 0 conforms, 1 deviations, 2 cannot check.
struct CheckSchema: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-schema",
        abstract: "Check an HDF5 file against its layout schema (Schemas/) and list every deviation.",
        discussion: """
            Without --schema the schema is the one the file names in its root attributes \
            nasdata_schema and nasdata_schema_version. Schemas are looked up in $NASDATA_SCHEMAS, \
            else in the first Schemas/ directory above the nasdata executable.
            Exit status: 0 the file conforms, 1 it deviates, 2 it cannot be checked.
            """)

    @Argument(help: "The HDF5 file to check.")
    var file: String

    @Option(help: "Schema name, optionally with version (NAME or NAME.vN). Default: from the file.")
    var schema: String?

    @Option(name: .customLong("schema-file"), help: "Check against this schema file instead of a named one.")
    var schemaFile: String?

    @Flag(help: "Print the result as JSON on standard output.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if schema != nil && schemaFile != nil { throw ValidationError("give --schema or --schema-file, not both") }
    }

    func run() throws {
        let chosen: Schema
        let deviations: [Deviation]
        do {
            (chosen, deviations) = try SchemaChecker.check(file: file, schemaFile: schemaFile, named: schema)
        } catch {
            if json {
                print(JSONValue.object([("file", .string(file)), ("ok", .bool(false)), ("error", .string("\(error)"))]))
            }
            throw error
        }
        if json {
            print(JSONValue.object([
                ("file", .string(file)), ("schema", .string(chosen.name)), ("version", .int(Int64(chosen.version))),
                ("ok", .bool(deviations.isEmpty)),
                ("deviations", .array(deviations.map { .object([("path", .string($0.path)), ("message", .string($0.message))]) })),
            ]))
        } else if deviations.isEmpty {
            print("\(file): conforms to \(chosen.name) v\(chosen.version)")
        } else {
            print("\(file): \(deviations.count) deviation(s) from \(chosen.name) v\(chosen.version):")
            for d in deviations { print("  \(d)") }
        }
        if !deviations.isEmpty { throw ExitStatus.problemFound.code }
    }
}

func printError(_ text: String) {
    fflush(nil)
    FileHandle.standardError.write((text + "\n").data(using: .utf8)!)
}
