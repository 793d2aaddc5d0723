import Concurrency
import Foundation
import NASBench
import NASCore

/// What `nasdata search` does, as one call: open the benchmark once, build the simulator, run every
/// seed on all cores, write the results file (if asked) and hand the result back for printing.
public enum SearchJob {
    public static func run(benchmark path: String, settings: SearchSettings, seeds: [Int],
                           jobs: Int = BoundedParallel.defaultJobs, output: String? = nil) throws -> SearchResult {
        guard !seeds.isEmpty else { throw SearchError.invalidSetting("--runs must be at least 1") }
        guard settings.timeBudget > 0 else { throw SearchError.budgetTooSmall(budget: settings.timeBudget) }
        let bench = try Benchmark(path: path)
        var settings = settings
        settings.space = bench.searchSpace
        let simulator = try SimulatedBenchmark(benchmark: bench, dataset: settings.dataset, proxy: settings.proxySchedule,
                                               final: settings.finalSchedule)
        let result = try SearchRunner.run(simulator, settings: settings, seeds: seeds, jobs: jobs)
        if let output { try SearchResultFile.write(result, to: output) }
        return result
    }
}

/// The papers' table: per algorithm and data set, mean ± std of the final test accuracy over the runs
/// (numpy's std, ddof 0) and the mean number of evaluations within the budget.
public enum SearchSummary {
    public struct Row: Sendable {
        public var algorithm: SearchAlgorithm
        public var dataset: SearchDataset
        public var runs: Int
        public var meanAccuracy: Double
        public var stdAccuracy: Double
        public var meanEvaluations: Double
    }

    public static func row(_ r: SearchResult) -> Row {
        let acc = r.runs.map(\.finalTestAccuracy)
        let n = Double(max(acc.count, 1))
        let mean = acc.reduce(0, +) / n
        let std = (acc.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
        let evals = r.runs.map { Double($0.counted) }.reduce(0, +) / n
        return Row(algorithm: r.algorithm, dataset: r.dataset, runs: r.runs.count, meanAccuracy: mean,
                   stdAccuracy: std, meanEvaluations: evals)
    }

    /// A Markdown table, one line per result.
    public static func table(_ results: [SearchResult]) -> String {
        var lines = ["| algorithm | data set | runs | test accuracy (%) | evaluations |", "|---|---|---:|---:|---:|"]
        for r in results {
            let row = row(r)
            lines.append("| \(row.algorithm.label) | \(row.dataset.name) | \(row.runs) | "
                         + String(format: "%.2f ± %.2f", row.meanAccuracy, row.stdAccuracy) + " | "
                         + String(format: "%.1f", row.meanEvaluations) + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// One line per run: seed, evaluations within the budget, simulated time, best index and its test accuracy.
    public static func runLines(_ r: SearchResult) -> [String] {
        r.runs.map { run in
            let last = run.evaluations[max(run.counted - 1, 0)]
            return "seed \(run.seed): \(run.counted) evaluations, " + String(format: "%.0f s", last.totalTime)
                + ", best \(run.bestIndex) \(r.archStrings[run.bestIndex] ?? ""), test "
                + String(format: "%.2f%%", run.finalTestAccuracy)
        }
    }
}

/// What `nasdata plot` does: read the results files, draw the figure, write SVG and PNG.
public enum SearchPlotJob {
    @discardableResult
    public static func run(results paths: [String], stem: String, scale: Int = 2) throws -> [SearchResult] {
        let results = try paths.map(SearchResultFile.read)
        try SearchFigure.make(results).write(stem: stem, scale: scale)
        return results
    }
}
