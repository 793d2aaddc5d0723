import ArgumentParser
import NASBench
import NASCore

/// `nasdata table BENCH.h5 --dataset D --hp H -o out.csv`: one row per architecture.
struct Table: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export one CSV row per architecture: seed-averaged last-epoch results and costs.",
        discussion: """
            Columns: index, arch, seeds, flops (M), params (M), latency (s), train_acc1, train_loss, \
            x-valid_acc1, x-valid_loss, x-test_acc1, x-test_loss, ori-test_acc1, ori-test_loss. All \
            architectures of the space (15,625 or 32,768) are listed; empty fields mean not evaluated or not recorded by every seed. \
            Numbers are printed in shortest round-trip form.
            """)

    @OptionGroup var file: BenchmarkFileOptions

    @Option(help: "Data set: cifar10-valid, cifar10, cifar100 or ImageNet16-120.")
    var dataset: String

    @Option(name: .shortAndLong, help: "The CSV file to write.")
    var output: String

    @Flag(help: "Print a JSON summary on standard output.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        try file.validateSchedule()
        if NB201Dataset(name: dataset) == nil {
            throw ValidationError("unknown data set '\(dataset)' (use cifar10-valid, cifar10, cifar100 or ImageNet16-120)")
        }
    }

    func run() throws {
        try OutputPath.check(output, writes: ["csv"], format: "CSV")
        let request = TableRequest(benchmark: file.benchmark, dataset: dataset, schedule: file.schedule, output: output)
        let result: TableResult
        do { result = try BenchmarkQuery.table(request) } catch let e as QueryError { throw e.commandFailure }
        print(json ? "\(result.json)" : result.line)
    }
}
