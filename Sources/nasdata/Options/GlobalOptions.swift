import ArgumentParser

/// Options every subcommand accepts. `Main` reads `--verbose` itself (it decides how errors
/// are printed, also for errors raised before a command runs); declaring it here puts it in every
/// subcommand's help and usage.
struct GlobalOptions: ParsableArguments {
    @Flag(help: "On an error, also print the libraries' details (HDF5's error stack) after the one-line message.")
    var verbose = false
}
