import ArgumentParser
import NASCore

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
    do {
        let (architecture, index) = try ArchitectureSelector(parsing: text).resolve()
        return (architecture, index)
    } catch let error as ArchitectureSelectorError {
        throw ValidationError("--arch \(text): \(error)")
    } catch {
        throw ValidationError("--arch: \(error)")
    }
}

/// `--hp`: a NAS-Bench-201 training schedule, 200 or 12 epochs.
func parseSchedule(_ text: String) throws -> Schedule {
    guard let schedule = Schedule(rawValue: text), Schedule.nasBench201.contains(schedule) else {
        throw ValidationError("--hp must be 200 or 12")
    }
    return schedule
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
