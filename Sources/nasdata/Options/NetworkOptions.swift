import ArgumentParser
import NASCore

/// How `forward` and `reload` run the network.
struct ComputeOptions: ParsableArguments {
    @Option(name: .long, help: "Threads for the forward pass (default: all cores).")
    var threads: Int?

    var threadCount: Int { threads ?? ComputeOptions.defaultThreads }

    @Option(name: .customLong("micro-batch"), help: "Images a thread pushes through the network at once.")
    var microBatch: Int = 16

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
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

/// `--space tss|sss`: the search space an `--arch` index belongs to (a `C1:C2:C3:C4:C5` string
/// implies sss; nothing given: tss).
struct SpaceOption: ParsableArguments {
    @Option(name: .long, help: "Search space of an --arch index: tss (topology, default) or sss (size).")
    var space: SearchSpaceKind?

    /// `--arch` (an index or a string of either space) as the architecture it names.
    func select(_ arch: String) throws -> SelectedArchitecture {
        do {
            return try ArchitectureSelector(parsing: arch).select(space: space)
        } catch ArchitectureSelectorError.spaceMismatch(_, .topology) {
            throw ValidationError("--arch \(arch) is a size-space architecture, but --space is tss")
        } catch let error as ArchitectureSelectorError {
            throw ValidationError("--arch \(arch): \(error)")
        } catch {
            throw ValidationError("--arch: \(error)")
        }
    }
}

extension SearchSpaceKind: ExpressibleByArgument {}

/// `--hp`: a training schedule of `space` as the files spell it (tss: 200 or 12; sss: 01, 12 or 90, `1` for `01`).
func parseSchedule(_ text: String, space: SearchSpaceKind = .topology) throws -> Schedule {
    guard let schedule = Schedule(rawValue: text), space.schedules.contains(schedule) else {
        throw ValidationError(space == .topology ? "--hp must be 200 or 12" : "--hp must be 01, 12 or 90 for a size-space run")
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
