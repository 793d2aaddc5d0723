import NASBench
import Pickle
import Tensors
import TorchFormats
import NASCore

/// The structure of one `{index:06d}-FULL.pth` (NAS-BENCH-201.md §4):
/// `{'full': ArchResults, 'less': ArchResults}`, each naming the file's index and its
/// canonical architecture string, each run's `net_state_dict` a state dict whose
/// tensors can all be read from the file (a truncated file fails here).
struct WeightFileCheck {
    /// A run's weights, for the network key/shape comparison.
    struct Run {
        let location: String          // "['full'][('cifar10', 777)]"
        let classCount: Int?
        let stateDict: StateDict
    }

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    let path: String
    let index: Int
    let architecture: Architecture

    /// Loads the file and checks everything that needs no network definition;
    /// calls `inspect` on each run's state dict (read one at a time, so memory is
    /// one run's weights) and returns how many runs it saw.
    func check(_ inspect: (Run) throws -> Void) throws -> Int {
        let root: PickleValue
        do { root = try TorchCheckpoint.load(path: path) } catch {
            throw Problem(description: "does not load as a torch checkpoint: \(error)")
        }
        guard let top = root.dictItems else { throw Problem(description: "top level is \(root.typeName), not a dict") }
        let keys = Set(top.compactMap { $0.key.string })
        guard keys == ["full", "less"], top.count == 2 else {
            throw Problem(description: "top-level keys \(top.map { $0.key.shortDescription }) (expected 'full' and 'less')")
        }
        let canonical = architecture.description
        var runs = 0
        for hp in ["full", "less"] {
            let ar = root[.string(hp)]
            guard ar.dict != nil else { throw Problem(description: "['\(hp)'] is \(ar.typeName), not an ArchResults dict") }
            guard let archIndex = ar["arch_index"].int else { throw Problem(description: "['\(hp)'] has no int arch_index") }
            guard archIndex == index else {
                throw Problem(description: "['\(hp)']['arch_index'] is \(archIndex) but the file is named for index \(index) (renamed or swapped?)")
            }
            guard let archStr = ar["arch_str"].string else { throw Problem(description: "['\(hp)'] has no arch_str") }
            guard archStr == canonical else {
                throw Problem(description: "['\(hp)']['arch_str'] \(archStr) != canonical string of index \(index) \(canonical)")
            }
            guard let results = ar["all_results"].dictItems else {
                throw Problem(description: "['\(hp)']['all_results'] is \(ar["all_results"].typeName), not a dict")
            }
            for (key, rc) in results {
                let location = "['\(hp)'][\(key.shortDescription)]"
                guard rc.dict != nil else { throw Problem(description: "\(location) is \(rc.typeName), not a ResultsCount dict") }
                if let s = rc["arch_config"]["arch_str"].string, s != canonical {
                    throw Problem(description: "\(location)['arch_config']['arch_str'] \(s) != \(canonical)")
                }
                let weights = rc["net_state_dict"]
                if weights.isNone { continue }
                let sd: StateDict
                do { sd = try weights.stateDict() } catch {
                    throw Problem(description: "\(location)['net_state_dict'] cannot be read: \(error)")
                }
                // Classes: the run's arch_config, else its data set (the key's first element).
                let classes = rc["arch_config"]["class_num"].int
                    ?? key.tuple?.first?.string.flatMap { NB201Dataset(name: $0)?.classCount }
                try inspect(Run(location: location, classCount: classes, stateDict: sd))
                runs += 1
            }
        }
        return runs
    }
}
