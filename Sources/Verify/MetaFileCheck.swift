import NASBench
import Pickle
import TorchFormats
import NASCore

/// The structure of a benchmark meta file (`NAS-Bench-201-v1_*.pth`, NAS-BENCH-201.md §3):
/// `{'meta_archs': [15625 str], 'total_archs': 15625, 'arch2infos': {index: {'full': ...,
/// 'less': ...}}, 'evaluated_indexes': [...]}`, every architecture string equal to the
/// canonical string of its index.
///
/// The file is 2-5 GB of pickle: it is streamed, and each run's results are released as soon
/// as they are parsed and each `arch2infos` entry checked and dropped, so memory holds one run.
struct MetaFileCheck {
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    let path: String

    /// Returns a one-line summary; throws `Problem` on the first structural error.
    func check() throws -> String {
        let space = SearchSpace.canonical
        var infos = 0
        var seen = Set<Int>()
        var firstProblem: String?
        func note(_ s: String) { if firstProblem == nil { firstProblem = s } }

        let root: PickleValue
        do {
            root = try TorchCheckpoint.load(path: path) { item in
                // A ResultsCount under 'all_results' ((dataset, seed) key): its per-epoch
                // metrics are the bulk of the file and nothing here reads them, so release
                // it at once. Memory then holds one run, not a 1,000-entry pickle batch of
                // whole architectures.
                if item.key.tuple?.count == 2, item.value["train_acc1es"].dict != nil { return .replace(.none) }
                // An arch2infos entry: int key, value {'full': ArchResults, 'less': ArchResults}.
                guard let index = item.key.int, item.value.dict != nil,
                      item.value["full"].dict != nil || item.value["less"].dict != nil else { return .keep }
                infos += 1
                guard let arch = space.architecture(at: index) else {
                    note("arch2infos has index \(index), outside 0..\(SearchSpace.count - 1)")
                    return .drop
                }
                if !seen.insert(index).inserted { note("arch2infos lists index \(index) twice") }
                let canonical = arch.description
                for hp in ["full", "less"] {
                    let ar = item.value[.string(hp)]
                    if ar.isNone { continue }
                    if ar["arch_index"].int != index {
                        note("arch2infos[\(index)]['\(hp)']['arch_index'] is \(ar["arch_index"].shortDescription)")
                    }
                    if ar["arch_str"].string != canonical {
                        note("arch2infos[\(index)]['\(hp)']['arch_str'] \(ar["arch_str"].shortDescription) != canonical \(canonical)")
                    }
                }
                return .drop
            }
        } catch {
            throw Problem(description: "does not load as a torch checkpoint: \(error)")
        }
        if let firstProblem { throw Problem(description: firstProblem) }

        guard root.dict != nil else { throw Problem(description: "top level is \(root.typeName), not a dict") }
        for key in ["meta_archs", "total_archs", "arch2infos", "evaluated_indexes"] where !root.contains(.string(key)) {
            throw Problem(description: "no '\(key)' key (keys: \(root.dictItems!.map { $0.key.shortDescription }.joined(separator: ", ")))")
        }
        guard root["total_archs"].int == SearchSpace.count else {
            throw Problem(description: "total_archs is \(root["total_archs"].shortDescription), expected \(SearchSpace.count)")
        }
        guard let archs = root["meta_archs"].list, archs.count == SearchSpace.count else {
            throw Problem(description: "meta_archs is \(root["meta_archs"].shortDescription), expected \(SearchSpace.count) strings")
        }
        for (i, a) in archs.enumerated() where a.string != space.architecture(at: i)!.description {
            throw Problem(description: "meta_archs[\(i)] is \(a.shortDescription), canonical is \(space.architecture(at: i)!)")
        }
        guard infos == SearchSpace.count else {
            throw Problem(description: "arch2infos has \(infos) architectures, expected \(SearchSpace.count)")
        }
        let evaluated = root["evaluated_indexes"].list?.count ?? root["evaluated_indexes"].dictItems?.count ?? 0
        return "meta_archs = the \(SearchSpace.count) canonical strings; arch2infos: \(infos) architectures, "
            + "each arch_index/arch_str consistent; \(evaluated) evaluated indexes"
    }
}
