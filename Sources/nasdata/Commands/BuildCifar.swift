import ArgumentParser
import Foundation
import ImageSet
import NASDatasets

/// `nasdata build-cifar`: the NAS-Bench-201 CIFAR splits, built from the original
/// archives into one self-describing HDF5 file (schema nb201-dataset v1).
struct BuildCifar: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build-cifar",
        abstract: "Build NAS-Bench-201's CIFAR-10 / CIFAR-100 data sets from the original archives.",
        discussion: """
        Inputs are the original cifar-10-python.tar.gz / cifar-100-python.tar.gz (read directly: \
        gzip + tar, streamed, nothing extracted), the binary versions (cifar-10-binary.tar.gz, \
        cifar-100-binary.tar.gz), or the extracted folders (cifar-10-batches-py/, cifar-100-python/, \
        ...). The python originals are checked against their published MD5s. The official split files \
        (cifar-split.txt, cifar100-test-split.txt) are built into nasdata; --splits DIR takes files of \
        those names from DIR instead (a variant), checked against the official SHA-256s: a mismatch is \
        an error unless --allow-unverified. --no-splits is for inputs that are not the official data \
        sets: the CIFAR-10 split is then regenerated over the input's size (CPython random.seed(1021) \
        shuffle, which gives the official file for the official 50,000 images); CIFAR-100's test split \
        has no known seed and needs a file.

        Output groups: cifar10-valid (train, x-valid, ori-test), cifar10 (train, ori-test), cifar100 \
        (train, x-valid, x-test, ori-test); each set holds images uint8 N x 32 x 32 x 3, labels, and \
        each image's index in the original file, with a content digest. Written atomically.
        """)

    @Option(name: .customLong("cifar10"), help: ArgumentHelp("CIFAR-10 original: tarball or extracted folder.", valueName: "path"))
    var cifar10: String?

    @Option(name: .customLong("cifar100"), help: ArgumentHelp("CIFAR-100 original: tarball or extracted folder.", valueName: "path"))
    var cifar100: String?

    @Option(name: .long, help: ArgumentHelp("Folder with variant split files (default: the official ones, built in).", valueName: "dir"))
    var splits: String?

    @Flag(name: .customLong("no-splits"), help: "Inputs that are not the official data sets: regenerate the CIFAR-10 split for their size.")
    var noSplits = false

    @Flag(name: .long, help: "Build even if an input's checksum differs from the published original's.")
    var allowUnverified = false

    @Option(name: .long, help: "Images per HDF5 chunk (a batch of this size is one chunk read).")
    var chunk = ImageSetLayout.defaultChunkImages

    @Option(name: .shortAndLong, help: ArgumentHelp("Output HDF5 file.", valueName: "out.h5"))
    var output: String

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if cifar10 == nil && cifar100 == nil { throw ValidationError("give --cifar10 PATH and/or --cifar100 PATH") }
        if chunk < 1 { throw ValidationError("--chunk must be at least 1") }
        if noSplits, splits != nil { throw ValidationError("give --splits DIR or --no-splits, not both") }
    }

    func run() throws {
        try OutputPath.check(output, writes: ["h5", "hdf5"], format: "HDF5")
        var options = CIFARBuildOptions(cifar10: cifar10, cifar100: cifar100,
                                        splits: noSplits ? .none : splits.map { .directory($0) } ?? .official,
                                        allowUnverified: allowUnverified)
        options.chunkImages = chunk
        let report = try CIFARBuilder.build(options, output: output)
        FileHandle.standardOutput.write(json ? try report.json() : Data(report.text.utf8))
    }
}
