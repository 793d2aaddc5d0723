import ArgumentParser
import NASDatasets

/// `nasdata preview`: a PNG contact sheet of any image set nasdata wrote.
struct Preview: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a PNG contact sheet (images with their labels) of an image set.",
        discussion: """
        Works on every nb201-dataset file (build-cifar, build-imagenet16). Each image is shown \
        enlarged (nearest neighbour) with "label classname" under it. Without --set the sets in \
        the file are listed.
        """)

    @Argument(help: ArgumentHelp("An HDF5 file written by build-cifar or build-imagenet16.", valueName: "data.h5"))
    var file: String

    @Option(name: .long, help: ArgumentHelp("The set to show, DATASET/SET.", valueName: "cifar10-valid/x-valid"))
    var set: String?

    @Option(name: .long, help: "How many images.")
    var count = 64

    @Option(name: .long, help: "Index of the first image.")
    var start = 0

    @Option(name: .long, help: "Images a row (default: a square grid).")
    var columns: Int?

    @Option(name: .long, help: "Enlargement factor (default: to about 64 pixels).")
    var scale: Int?

    @Option(name: .shortAndLong, help: ArgumentHelp("Output PNG.", valueName: "grid.png"))
    var output: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if count < 1 { throw ValidationError("--count must be at least 1") }
        if start < 0 { throw ValidationError("--start must not be negative") }
        if let columns, columns < 1 { throw ValidationError("--columns must be at least 1") }
        if let scale, !(1...16).contains(scale) { throw ValidationError("--scale must be 1...16") }
        if set != nil && output == nil { throw ValidationError("give the output PNG with -o grid.png") }
    }

    func run() throws {
        if let output { try OutputPath.check(output, writes: ["png"], format: "PNG") }
        var request = PreviewRequest(file: file)
        request.set = set
        request.output = output
        request.count = count
        request.start = start
        request.columns = columns
        request.scale = scale
        let result: PreviewResult
        do { result = try ImageSetPreview.run(request) } catch let e as PreviewError { throw ValidationError("\(e)") }
        print(result.lines.joined(separator: "\n"))
    }
}
