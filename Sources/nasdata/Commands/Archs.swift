import ArgumentParser
import Foundation
import NASBench
import NASCore

/// `nasdata archs`: the 15,625 architecture strings in canonical (benchmark index) order,
/// regenerated from CPython's seeded shuffle without reading any benchmark file.
struct Archs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the 15,625 NAS-Bench-201 architectures in benchmark-index order.",
        discussion: """
        One string a line; line N (from 0) is the architecture with index N, exactly as upstream's \
        meta_archs lists it. With --index each line starts with the index and a tab. \
        --lookup STR prints the index of one architecture (exit 1 if it is not one of them).
        """)

    @Flag(name: .long, help: "Prefix each line with its index and a tab.")
    var index = false

    @Option(name: .long, help: "Print only the index of this architecture string.")
    var lookup: String?

    @Flag(name: .long, help: "Print JSON (a list of {index, arch}, or one object with --lookup).")
    var json = false

    func run() throws {
        let space = SearchSpace.canonical
        if let lookup {
            do {
                _ = try Architecture(lookup)
            } catch let error as ArchitectureParseError {
                throw ValidationError(error.description)
            }
            guard let found = space.index(of: lookup) else { throw ExitCode(1) }
            print(json ? "{\"index\": \(found), \"arch\": \"\(lookup)\"}" : "\(found)")
            return
        }
        var out = ""
        if json {
            out = "[\n" + space.architectures.enumerated().map { "  {\"index\": \($0.offset), \"arch\": \"\($0.element)\"}" }
                .joined(separator: ",\n") + "\n]\n"
        } else if index {
            for (i, arch) in space.architectures.enumerated() { out += "\(i)\t\(arch)\n" }
        } else {
            out = space.listing()
        }
        FileHandle.standardOutput.write(out.data(using: .utf8)!)
    }
}
