import ArgumentParser
import Foundation
import NASBench
import Tensors
import TinyNetwork
import TorchFormats
import NASCore
import Reload

/// `nasdata forward`: logits of a batch of images through one architecture's network,
/// for scripted checks (compare with PyTorch, with a recorded accuracy, ...).
struct Forward: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the NAS-Bench-201 network (eval mode, CPU) over a batch of images.",
        discussion: """
        Builds TinyNetwork(C, N, ARCH, CLASSES), loads --weights strictly (a torch .pth of either \
        format or a .safetensors file, or --archive A.h5 --dataset D [--seed S] [--hp 200|12]: a run \
        of a nasdata weight archive; every missing, unexpected or mis-shaped key is reported), \
        runs --input (a .npy of float images [B, 3, H, W], already normalised) and writes the \
        logits [B, CLASSES] as float32 .npy. --json prints timing and arg-max labels.
        """)

    @Option(name: .long, help: "State dict: .pth (zip or legacy torch.save) or .safetensors.")
    var weights: String?

    @Option(name: .long, help: "Instead of --weights: a run of a nasdata weight archive (with --dataset, --seed, --hp).")
    var archive: String?

    @Option(name: .long, help: "With --archive: the run's data set (cifar10-valid, cifar10, cifar100, ImageNet16-120).")
    var dataset: String?

    @Option(name: .long, help: "With --archive: the run's seed (default: the lowest one).")
    var seed: Int?

    @Option(name: .long, help: "With --archive: 200 or 12 epochs.")
    var hp: String = "200"

    @Option(name: .long, help: "Architecture: canonical index (0-15624) or string |op~0|+|op~0|op~1|+|...|.")
    var arch: String

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

    @Flag(name: .long, help: "Print a JSON summary (shape, timing, arg-max labels).")
    var json = false

    func validate() throws {
        if (weights == nil) == (archive == nil) { throw ValidationError("give exactly one of --weights or --archive") }
        if archive != nil && dataset == nil { throw ValidationError("--archive needs --dataset") }
        if archive == nil && classes == nil { throw ValidationError("--weights needs --classes") }
        if let classes, classes < 1 { throw ValidationError("--classes must be at least 1") }
        _ = try parseSchedule(hp)
        if channels < 1 || cells < 1 { throw ValidationError("--channels and --cells must be at least 1") }
        if `repeat` < 1 { throw ValidationError("--repeat must be at least 1") }
    }

    func run() throws {
        BLASKernelSelection.restartWithFasterKernelsIfNeeded()
        let (architecture, index) = try parseArchitecture(arch)
        let source = weights ?? archive!
        let stateDict: StateDict
        var classes = self.classes ?? 0
        do {
            if let weights {
                stateDict = try WeightsFile.load(path: weights)
            } else {
                let run = try ArchiveRunLoader.load(path: source, architecture: architecture, index: index,
                                                    dataset: try parseDataset(dataset!), seed: seed, schedule: try parseSchedule(hp))
                if self.classes == nil { classes = run.classes }
                stateDict = run.weights
            }
        } catch let error as ValidationError { throw error } catch {
            throw CommandFailure("\(error)")
        }
        let config = NetworkConfig(architecture: architecture.description, classes: classes,
                                   channels: channels, cellsPerStage: cells)
        let network: TinyNetwork
        do { network = try TinyNetwork(config: config, weights: stateDict) } catch {
            throw CommandFailure("\(source): \(error)")
        }
        for warning in network.warnings { printError("\(source): \(warning)") }

        let images: Tensor
        do { images = try NPY.read(path: input) } catch { throw CommandFailure("\(error)") }
        guard images.shape.count == 4, images.shape[1] == 3, images.dtype == .float32 || images.dtype == .float64 else {
            throw CommandFailure("\(input): expected float images [batch, 3, height, width], found \(images.dtype) \(images.shape)")
        }
        let (b, h, w) = (images.shape[0], images.shape[2], images.shape[3])
        let pass: ForwardPass
        do {
            pass = try ForwardPass(network: network, height: h, width: w, microBatch: compute.microBatch,
                                   threads: compute.threads)
        } catch { throw CommandFailure("\(input): \(error)") }
        let pixels = images.dtype == .float32 ? images.scalars(as: Float.self) : images.floatValues()
        var logits = [Float](repeating: 0, count: b * classes)
        var pooled = [Float](repeating: 0, count: b * network.featureCount)
        var seconds = 0.0
        do {
            try pixels.withUnsafeBufferPointer { x in
                try logits.withUnsafeMutableBufferPointer { l in
                    try pooled.withUnsafeMutableBufferPointer { f in
                        guard b > 0 else { return }
                        let start = DispatchTime.now().uptimeNanoseconds
                        for _ in 0..<`repeat` {
                            try pass.run(images: x.baseAddress!, count: b, features: f.baseAddress!, logits: l.baseAddress!)
                        }
                        seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                    }
                }
            }
        } catch { throw CommandFailure("\(input): \(error)") }

        try NPY.write(Tensor(shape: [b, classes], scalars: logits), to: output)
        if let features { try NPY.write(Tensor(shape: [b, network.featureCount], scalars: pooled), to: features) }

        let labels = stride(from: 0, to: logits.count, by: classes).map { start in
            (0..<classes).max { logits[start + $0] < logits[start + $1] } ?? 0
        }
        let rate = seconds > 0 ? Double(b * `repeat`) / seconds : 0
        if json {
            let summary: [String: Any] = [
                "images": b, "height": h, "width": w, "classes": classes, "arch": architecture.description,
                "arch_index": index.map { $0 as Any } ?? NSNull(), "threads": compute.threads,
                "micro_batch": compute.microBatch, "repeat": `repeat`, "seconds": seconds,
                "images_per_second": rate, "blas_core": BLASKernelSelection.coreName, "argmax": labels,
                "output": output, "warnings": network.warnings,
            ]
            let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("forward: \(b) image(s) \(h)x\(w) -> logits [\(b), \(classes)] in \(String(format: "%.3f", seconds)) s "
                  + "(\(String(format: "%.1f", rate)) images/s, \(compute.threads) thread(s), OpenBLAS \(BLASKernelSelection.coreName))")
            print("arg-max: " + labels.prefix(32).map(String.init).joined(separator: " ") + (labels.count > 32 ? " ..." : ""))
            print("wrote \(output)" + (features.map { " and \($0)" } ?? ""))
        }
    }
}
