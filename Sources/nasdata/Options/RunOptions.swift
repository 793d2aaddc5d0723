import ArgumentParser
import NASCore

/// The options of a subcommand that addresses ONE run: `--arch --dataset --seed --hp`.
struct RunOptions: ParsableArguments {
    @Option(name: .long, help: "Architecture: canonical index (0-15624) or string |op~0|+|op~0|op~1|+|...|.")
    var arch: String

    @Option(name: .long, help: "Data set of the run: cifar10-valid, cifar10, cifar100, ImageNet16-120.")
    var dataset: String

    @Option(name: .long, help: "Seed of the run (default: the lowest one recorded).")
    var seed: Int?

    @Option(name: .long, help: "Training schedule: 200 (the 'full' results) or 12 ('less'); less/full also accepted.")
    var hp: String = "200"

    func validate() throws {
        _ = try schedule()
        _ = try parseDataset(dataset)
    }

    /// `--hp` as a schedule.
    func schedule() throws -> Schedule {
        guard let schedule = Schedule(nasBench201: hp) else { throw ValidationError("--hp must be 200 or 12 (or less/full)") }
        return schedule
    }

    /// The run these options name (the seed stays nil when not given).
    func runKey() throws -> RunKey {
        RunKey(architecture: ArchitectureSelector(parsing: arch), dataset: try parseDataset(dataset), seed: seed,
               schedule: try schedule())
    }
}
