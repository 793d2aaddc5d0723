import ArgumentParser
import Foundation
import HDF5
import ImageCodecs
import ImageSet

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
        let h5 = try File.open(file)
        defer { h5.close() }
        guard let set, let output else {
            let sets = try ImageSetReader.sets(in: h5)
            print(sets.isEmpty ? "\(file): no image sets" : "image sets in \(file) (use --set NAME -o grid.png):")
            for name in sets {
                let reader = try ImageSetReader(file: h5, set: name)
                print("  \(name)  \(reader.count) images of \(reader.height)x\(reader.width)")
            }
            return
        }
        let reader = try ImageSetReader(file: h5, set: set)
        guard start < reader.count else {
            throw ValidationError("\(set) has \(reader.count) images; --start \(start) is past the end")
        }
        let n = min(count, reader.count - start)
        let batch = try reader.readBatch(start: start, count: n)
        var sheet = ContactSheet(count: n, imageHeight: reader.height, imageWidth: reader.width, columns: columns, scale: scale)
        for i in 0..<n {
            let label = Int(batch.labels[i])
            let name = label < reader.classNames.count ? reader.classNames[label] : "?"
            sheet.place(i, image: batch.image(i), caption: "\(label) \(name)")
        }
        try sheet.writePNG(to: output)
        print("wrote \(output): \(n) images of \(set) (from #\(start)), \(sheet.width)x\(sheet.height) pixels")
    }
}
