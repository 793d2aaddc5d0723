import ArgumentParser

/// The entry point lives in an `@main` type, not top-level code: C callbacks
/// (HDF5's error walker) crashed when invoked from other threads otherwise.
@main
struct NASData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nasdata",
        abstract: "The data side of NAS-Bench-201: build, pack, verify, query and reload, checked and boring.",
        version: "0.1.0",
        subcommands: [
            CheckSchema.self,
            SelfTest.self,
            Archs.self,
            BuildCifar.self,
            Preview.self,
            VerifyCommand.self,
            ManifestCommand.self,
            Inspect.self,
            BuildImageNet16.self,
            ConvertBenchmark.self,
            Query.self,
            Best.self,
            Table.self,
            PackArchive.self,
            MergeArchive.self,
            Archive.self,
            Forward.self,
            Reload.self,
        ]
    )
}
