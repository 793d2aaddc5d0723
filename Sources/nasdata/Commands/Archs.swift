import ArgumentParser
import Foundation
import NASBench
import NASCore

/// `nasdata archs`: the 15,625 topology cells (regenerated from CPython's seeded shuffle) or
/// the 32,768 size-space channel strings, in canonical (benchmark index) order, without reading
/// any benchmark file.
struct Archs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the architectures of a search space in benchmark-index order (15,625 tss cells, 32,768 sss sizes).",
        discussion: """
        One string a line; line N (from 0) is the architecture with index N, exactly as upstream's \
        meta_archs lists it. With --index each line starts with the index and a tab. \
        --lookup STR prints the index of one architecture (exit 1 if it is not one of them). \
        --space sss lists NATS-Bench's size space (C1:C2:C3:C4:C5, in itertools.product order).
        """)

    @Option(name: .long, help: "Search space: tss (topology, NAS-Bench-201's cells; default) or sss (NATS size space).")
    var space: SearchSpaceKind = .topology

    @Flag(name: .long, help: "Prefix each line with its index and a tab.")
    var index = false

    @Option(name: .long, help: "Print only the index of this architecture string.")
    var lookup: String?

    @Flag(name: .long, help: "Print JSON (a list of {index, arch}, or one object with --lookup).")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        if let lookup {
            let found: Int?
            do { found = try space.lookup(lookup) } catch { throw ValidationError("\(error)") }
            guard let found else { throw ExitStatus.problemFound.code }
            print(SearchSpaceKind.lookupLine(index: found, arch: lookup, json: json))
            return
        }
        FileHandle.standardOutput.write(space.listing(json ? .json : index ? .indexed : .plain).data(using: .utf8)!)
    }
}
