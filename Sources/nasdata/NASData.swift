import ArgumentParser

/// The entry point lives in an `@main` type, not top-level code: C callbacks
/// (HDF5's error walker) crashed when invoked from other threads otherwise.
@main
struct NASData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nasdata",
        abstract: "The data side of NAS-Bench-201: build, pack, verify, query and reload, checked and boring.",
        discussion: "Exit status (every subcommand):\n" + ExitStatus.table
            + "\nErrors are one line on stderr naming the file; --verbose adds library details.",
        version: "0.1.0",
        subcommands: [
            // Data sets
            BuildCifar.self,
            BuildImageNet16.self,
            Preview.self,
            // The benchmark
            Archs.self,
            ConvertBenchmark.self,
            Query.self,
            Best.self,
            Table.self,
            Search.self,
            Plot.self,
            // Trained weights
            PackArchive.self,
            MergeArchive.self,
            Archive.self,
            Reload.self,
            Forward.self,
            // Integrity
            VerifyCommand.self,
            ManifestCommand.self,
            CheckSchema.self,
            // Any file, any HDF5 layer
            Inspect.self,
            SelfTest.self,
        ]
    )
}
