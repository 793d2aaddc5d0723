import ArgumentParser
import NASCore
import Reload
import TinyNetwork

/// `nasdata forward`: logits of a batch of images through one architecture's network,
/// for scripted checks (compare with PyTorch, with a recorded accuracy, ...).
struct Forward: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the NAS-Bench-201 / NATS-Bench network (eval mode, CPU) over a batch of images.",
        discussion: """
        Builds TinyNetwork(C, N, ARCH, CLASSES), or for a size-space ARCH (C1:C2:C3:C4:C5, or an \
        index with --space sss) NATS-Bench's DynamicShapeTinyNet(channels, --genotype, CLASSES); \
        loads --weights strictly (a torch .pth of either \
        format or a .safetensors file, or --archive A.h5 --dataset D [--seed S] [--hp 200|12|01|90]: a run \
        of a nasdata weight archive; every missing, unexpected or mis-shaped key is reported), \
        runs --input (a .npy of float images [B, 3, H, W], already normalised) and writes the \
        logits [B, CLASSES] as float32 .npy. --json prints timing and arg-max labels.
        """)

    @Option(name: .long, help: "State dict: .pth (zip or legacy torch.save) or .safetensors.")
    var weights: String?

    @Option(name: .long, help: "Instead of --weights: a run of a nasdata weight archive (with --dataset, --seed, --hp).")
    var archive: String?

    @Option(name: .long, help: """
        The run's data set (cifar10-valid, cifar10, cifar100, ImageNet16-120): required with --archive; \
        with --weights it sets --classes and is compared with the file's metadata.
        """)
    var dataset: String?

    @Option(name: .long, help: "With --archive: the run's seed (default: the lowest one).")
    var seed: Int?

    @Option(name: .long, help: "With --archive: 200 or 12 epochs (size space: 01, 12 or 90).")
    var hp: String = "200"

    @Option(name: .long, help: "Architecture: canonical index (0-15624) or string |op~0|+|op~0|op~1|+|...|; size space: C1:C2:C3:C4:C5 or an index (0-32767) with --space sss.")
    var arch: String

    @OptionGroup var space: SpaceOption

    @Option(name: .long, help: "Size space: the cell (default: NATS-Bench's fixed one).")
    var genotype: String?

    @Option(name: .long, help: "Also write the network config JSON for get_cell_based_tiny_net.")
    var config: String?

    @Option(name: .long, help: "Classifier outputs (10 for CIFAR-10, 100 for CIFAR-100, 120 for ImageNet16-120; with --archive: from --dataset).")
    var classes: Int?

    @Option(name: .long, help: "Input images: .npy float [B, 3, H, W], H and W multiples of 4.")
    var input: String

    @Option(name: [.short, .customLong("output")], help: "Where to write the logits (.npy, float32 [B, CLASSES]).")
    var output: String

    @Option(name: .long, help: "Also write the pooled features (.npy, float32 [B, 4C]).")
    var features: String?

    @Option(name: .long, help: "Channels of the first stage (16 in NAS-Bench-201).")
    var channels: Int = 16

    @Option(name: .long, help: "Cells per stage (5 in NAS-Bench-201).")
    var cells: Int = 5

    @Option(name: .long, help: "Run the batch this many times (for timing; the output is the same).")
    var `repeat`: Int = 1

    @OptionGroup var compute: ComputeOptions

    @Flag(name: .customLong("ignore-metadata"),
          help: "Use --weights even when their metadata records another architecture, class count or data set.")
    var ignoreMetadata = false

    @Flag(name: .long, help: "Print a JSON summary (shape, timing, arg-max labels).")
    var json = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if (weights == nil) == (archive == nil) { throw ValidationError("give exactly one of --weights or --archive") }
        if archive != nil && dataset == nil { throw ValidationError("--archive needs --dataset") }
        if archive == nil && classes == nil && dataset == nil { throw ValidationError("--weights needs --classes or --dataset") }
        if let dataset, let classes {
            let expected = try parseDataset(dataset).classCount
            if expected != classes { throw ValidationError("--classes \(classes) contradicts --dataset \(dataset) (\(expected) classes)") }
        }
        if let classes, classes < 1 { throw ValidationError("--classes must be at least 1") }
        guard Schedule(rawValue: hp) != nil else { throw ValidationError("--hp must be 200 or 12 (size space: 01, 12 or 90)") }
        if channels < 1 || cells < 1 { throw ValidationError("--channels and --cells must be at least 1") }
        if `repeat` < 1 { throw ValidationError("--repeat must be at least 1") }
    }

    func run() throws {
        try OutputPath.check(output, writes: ["npy"], format: ".npy arrays")
        if let features { try OutputPath.check(features, option: "--features", writes: ["npy"], format: ".npy arrays") }
        BLASKernelSelection.restartWithFasterKernelsIfNeeded()
        var space = self.space
        if space.space == nil, let archive { space.space = try ArchiveRunLoader.space(of: archive) }  // an index means the archive's space
        let architecture = try space.select(arch)
        if genotype != nil && architecture.space != .size {
            throw ValidationError("--genotype is for a size-space --arch (C1:C2:C3:C4:C5); a topology --arch is the cell")
        }
        let source: ForwardRequest.Weights = try weights.map { .file($0) }
            ?? .archive(archive!, dataset: try parseDataset(dataset!), seed: seed, schedule: try parseSchedule(hp, space: architecture.space))
        var request = ForwardRequest(weights: source, architecture: architecture, classes: classes, input: input, output: output)
        request.channels = channels
        request.cellsPerStage = cells
        request.checkMetadata = !ignoreMetadata
        if weights != nil { request.dataset = try dataset.map(parseDataset) }
        if let genotype { request.genotype = genotype }
        request.features = features
        request.config = config
        request.repeats = `repeat`
        request.threads = compute.threadCount
        request.microBatch = compute.microBatch
        let report: ForwardReport
        do { report = try Forwarder.run(request, warn: printError) } catch { throw CommandFailure("\(error)") }
        if json {
            print(try report.json())
        } else {
            for line in report.lines { print(line) }
        }
    }
}
