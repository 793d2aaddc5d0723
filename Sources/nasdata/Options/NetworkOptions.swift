import ArgumentParser
import NASBench
import TinyNetwork

/// How `forward` and `reload` run the network.
struct ComputeOptions: ParsableArguments {
    @Option(name: .long, help: "Threads for the forward pass (default: all cores).")
    var threads: Int = ComputeOptions.defaultThreads

    @Option(name: .customLong("micro-batch"), help: "Images a thread pushes through the network at once.")
    var microBatch: Int = 16

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
        if microBatch < 1 { throw ValidationError("--micro-batch must be at least 1") }
    }

    static var defaultThreads: Int {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }
}

/// `--arch I` (canonical benchmark index) or `--arch STR` (architecture string).
func parseArchitecture(_ text: String) throws -> (architecture: Architecture, index: Int?) {
    if let index = Int(text) {
        guard let arch = SearchSpace.canonical.architecture(at: index) else {
            throw ValidationError("--arch \(text): an index must be in 0..<\(SearchSpace.count)")
        }
        return (arch, index)
    }
    do {
        let arch = try Architecture(text)
        return (arch, SearchSpace.canonical.index(of: arch))
    } catch {
        throw ValidationError("--arch: \(error)")
    }
}

/// A data set name as upstream spells it.
func parseDataset(_ text: String) throws -> NB201Dataset {
    guard let dataset = NB201Dataset(name: text) else {
        throw ValidationError("--dataset \(text): expected one of \(NB201Dataset.allCases.map(\.name).joined(separator: ", "))")
    }
    return dataset
}

#if canImport(Glibc)
import Glibc
#endif
