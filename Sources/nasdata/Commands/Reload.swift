import ArgumentParser
import NASCore
import Reload
import TinyNetwork

/// `nasdata reload`: one run's trained weights into the training network, checked by
/// running it, and exported for fine-tuning in PyTorch.
struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load one architecture's trained weights into the network, run it, and export them.",
        discussion: """
        Reads the weights of one run (--full-file: an upstream {index:06d}-FULL.pth, or a NATS-Bench \
        result file with weights in torch.save form; --archive: a nasdata weight archive), builds \
        TinyNetwork(C=16, N=5, ARCH, classes of --dataset), or for a size-space ARCH \
        (C1:C2:C3:C4:C5, or an index with --space sss) DynamicShapeTinyNet(channels, the cell the run's \
        arch_config names, classes), loads the weights strictly and runs the network: on --evaluate DATA.h5 --set SET (a nasdata image data \
        set, normalised with its stored mean/std) it prints accuracy and loss beside the values the \
        benchmark recorded for this run and flags a disagreement; without --evaluate it checks that a \
        synthetic batch gives finite logits. Then it writes the state dict (-o OUT.pth: torch zip \
        format; -o OUT.safetensors) in upstream key order, which upstream's network loads with \
        load_state_dict(strict=True), and --config OUT.json, the dict get_cell_based_tiny_net takes.
        """)

    @Option(name: .long, help: "A nasdata weight archive (pack-archive output).")
    var archive: String?

    @Option(name: .customLong("full-file"), help: "An upstream {index:06d}-FULL.pth file, or a NATS-Bench result file with weights.")
    var fullFile: String?

    @OptionGroup var selected: RunOptions

    @OptionGroup var space: SpaceOption

    @Option(name: [.short, .customLong("output")], help: "Exported state dict: .pth (torch zip) or .safetensors.")
    var output: String

    @Option(name: .long, help: "Also write the network config JSON for get_cell_based_tiny_net.")
    var config: String?

    @Option(name: .long, help: "A nasdata image data set (build-cifar / build-imagenet16 output) to evaluate on.")
    var evaluate: String?

    @Option(name: .long, help: "Evaluation set: ori-test, x-valid or x-test (or DATASET/SET).")
    var set: String = "ori-test"

    @Option(name: .customLong("batch-size"), help: "Images read and evaluated per batch.")
    var batchSize: Int = 256

    @Option(name: .long, help: "Largest accuracy difference (percentage points) that still agrees with the record.")
    var tolerance: Double = 0.1

    @Flag(name: .customLong("fail-on-disagreement"), help: "Exit with status 1 when the evaluation disagrees with the record.")
    var failOnDisagreement = false

    @Flag(name: .customLong("ignore-metadata"), help: """
        Load the weights even when the file records another architecture, index or class count than \
        requested (a warning instead of an error; the strict load still checks every key and shape).
        """)
    var ignoreMetadata = false

    @OptionGroup var compute: ComputeOptions

    @Flag(name: .long, help: "Print a JSON summary.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if (archive == nil) == (fullFile == nil) { throw ValidationError("give exactly one of --archive or --full-file") }
        if !(output.hasSuffix(".pth") || output.hasSuffix(".safetensors")) {
            throw ValidationError("-o must end in .pth (torch zip format) or .safetensors")
        }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() throws {
        try OutputPath.check(output, writes: ["pth", "pt", "safetensors"], format: "a torch state dict or safetensors")
        if let config { try OutputPath.check(config, option: "--config", writes: ["json"], format: "JSON") }
        BLASKernelSelection.restartWithFasterKernelsIfNeeded()
        var space = self.space
        if space.space == nil, let archive { space.space = try ArchiveRunLoader.space(of: archive) }  // an index means the archive's space
        let architecture = try space.select(selected.arch)
        let key = try selected.runKey(space: architecture.space)
        var request = ReloadRequest(source: fullFile.map { .fullFile($0) } ?? .archive(archive!), architecture: architecture,
                                    dataset: key.dataset, seed: key.seed, schedule: key.schedule, output: output)
        request.config = config
        request.evaluate = evaluate
        request.set = set
        request.batchSize = batchSize
        request.tolerance = tolerance
        request.checkMetadata = !ignoreMetadata
        request.threads = compute.threadCount
        request.microBatch = compute.microBatch
        let report: ReloadReport
        do { report = try Reloader.run(request, warn: printError) } catch { throw CommandFailure("\(error)") }
        if json {
            print(try report.json())
        } else {
            for line in report.lines { print(line) }
        }
        if report.disagrees && failOnDisagreement { throw ExitStatus.problemFound.code }
    }
}
