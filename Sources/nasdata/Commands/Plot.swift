import ArgumentParser
import NASSearch

/// `nasdata plot RESULT... -o STEM`: the papers' search figure from `nasdata search` results.
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw test accuracy of the best architecture so far against simulated time (SVG and PNG).",
        discussion: """
            One line (mean over runs) and a band (mean ± std) per results file, all on one data set. \
            Writes STEM.svg and STEM.png. Tools/plot-search.py draws the same figure with matplotlib.
            """)

    @Argument(help: "Results files from `nasdata search -o` (.h5 or .json), one per algorithm.")
    var results: [String]

    @Option(name: .shortAndLong, help: "Output path without extension; STEM.svg and STEM.png are written.")
    var output: String

    @Option(help: "Pixels per SVG unit in the PNG (800x520 units).")
    var scale: Int = 2

    @Flag(help: "Also print the papers' table for the results.")
    var summary = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (1...8).contains(scale) else { throw ValidationError("--scale must be 1...8") }
    }

    func run() throws {
        for ext in ["svg", "png"] { try OutputPath.check("\(output).\(ext)", writes: [ext], format: ext.uppercased()) }
        let loaded: [SearchResult]
        do { loaded = try SearchPlotJob.run(results: results, stem: output, scale: scale) } catch {
            throw CommandFailure("\(error)")
        }
        if summary { print(SearchSummary.table(loaded)) }
        print("wrote \(output).svg and \(output).png")
    }
}
