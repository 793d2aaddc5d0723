import ArgumentParser
import Foundation
import NASBench
import NASDataIO
import NASDatasets
import Tensors
import TinyNetwork
import TorchFormats

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

    @Option(name: .customLong("full-file"), help: "An upstream {index:06d}-FULL.pth file.")
    var fullFile: String?

    @Option(name: .long, help: "Architecture: canonical index (0-15624) or string; size space: C1:C2:C3:C4:C5 or an index with --space sss; must match the run.")
    var arch: String

    @Option(name: .long, help: "Search space of an --arch index: tss (topology, default) or sss (size).")
    var space: String?

    @Option(name: .long, help: "Data set of the run: cifar10-valid, cifar10, cifar100, ImageNet16-120.")
    var dataset: String

    @Option(name: .long, help: "Seed of the run (default: the lowest one recorded).")
    var seed: Int?

    @Option(name: .long, help: "Training schedule: 200 (the 'full' results) or 12 ('less'); NATS-Bench size space: 01, 12 or 90.")
    var hp: String = "200"

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

    @Flag(name: .customLong("fail-on-disagreement"), help: "Exit with status 3 when the evaluation disagrees with the record.")
    var failOnDisagreement = false

    @OptionGroup var compute: ComputeOptions

    @Flag(name: .long, help: "Print a JSON summary.")
    var json = false

    func validate() throws {
        if (archive == nil) == (fullFile == nil) { throw ValidationError("give exactly one of --archive or --full-file") }
        if !(output.hasSuffix(".pth") || output.hasSuffix(".safetensors")) {
            throw ValidationError("-o must end in .pth (torch zip format) or .safetensors")
        }
        if !["200", "12", "90", "01", "1"].contains(hp) { throw ValidationError("--hp must be 200, 12, 90 or 01") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() throws {
        BLASKernelSelection.restartWithFasterKernelsIfNeeded()
        let requested = try NetworkArchitecture.parse(arch, space: space)
        let requestedIndex = requested.index
        let nb201Dataset = try parseDataset(dataset)

        let source = fullFile ?? archive!
        let run: TrainedRun
        do {
            if let fullFile {
                run = try TrainedRun.fromFullFile(path: fullFile, dataset: nb201Dataset, seed: seed, hyperParameters: hp)
            } else {
                guard case let .topology(architecture, _) = requested else {
                    throw CommandFailure("--archive holds NAS-Bench-201 runs; reload a size-space run with --full-file")
                }
                run = try ArchiveRunLoader.load(path: source, architecture: architecture, index: requestedIndex,
                                                dataset: nb201Dataset, seed: seed, hyperParameters: hp)
            }
        } catch let error as CommandFailure { throw error } catch { throw CommandFailure("\(error)") }

        guard run.architecture == requested.string, (run.networkConfig != nil) == requested.isSizeSpace else {
            let theirs = (run.networkConfig?.layerChannels.flatMap(NetworkConfig.sizeSpaceIndex(of:))
                          ?? SearchSpace.canonical.index(of: run.architecture)).map { " (index \($0))" } ?? ""
            throw CommandFailure("\(source): the run is of \(run.networkConfig == nil ? "topology" : "size-space") "
                                 + "architecture \(run.architecture)\(theirs), not the requested \(requested.label)")
        }
        if let fileIndex = run.architectureIndex, let requestedIndex, fileIndex != requestedIndex {
            throw CommandFailure("\(source): the file is for architecture index \(fileIndex), not \(requestedIndex)")
        }
        guard run.classes == nb201Dataset.classCount else {
            throw CommandFailure("\(source): the run records \(run.classes) classes, \(nb201Dataset.name) has \(nb201Dataset.classCount)")
        }

        let networkConfig = run.config
        let spec = try ParameterSpec(networkConfig)
        let network: TinyNetwork
        do { network = try TinyNetwork(config: networkConfig, weights: run.weights) } catch {
            throw CommandFailure("\(source) run (\(run.dataset), seed \(run.seed), hp \(run.hyperParameters)): \(error)")
        }
        for warning in network.warnings { printError("\(source): \(warning)") }

        var report: [String: Any] = [
            "source": source, "arch": requested.string, "arch_index": requestedIndex.map { $0 as Any } ?? NSNull(),
            "space": requested.isSizeSpace ? "sss" : "tss", "dataset": run.dataset, "seed": run.seed, "hp": run.hyperParameters, "classes": run.classes,
            "keys": spec.entries.count, "parameters": spec.trainableParameterCount, "warnings": network.warnings,
        ]
        var lines = ["reload: \(requested.label), \(run.dataset) seed \(run.seed), hp \(run.hyperParameters): \(spec.entries.count) tensors, "
                     + String(format: "%.6f", Double(spec.trainableParameterCount) / 1e6) + " M parameters, loaded strictly"]
        var disagrees = false

        if let evaluate {
            let result = try runEvaluation(network, path: evaluate, dataset: nb201Dataset)
            let recorded = run.recorded(result.set)
            var entry: [String: Any] = ["data": evaluate, "set": result.setPath, "images": result.images,
                                        "accuracy": result.accuracy, "loss": result.loss]
            var line = "evaluate \(result.setPath) (\(result.images) images): accuracy "
                + String(format: "%.2f%%", result.accuracy) + ", loss " + String(format: "%.4f", result.loss)
            if let recorded {
                let agrees = abs(recorded.accuracy - result.accuracy) <= tolerance
                disagrees = !agrees
                entry["recorded"] = ["epoch": recorded.epoch, "accuracy": recorded.accuracy,
                                     "loss": recorded.loss.map { $0 as Any } ?? NSNull()]
                entry["agrees"] = agrees
                line += "; recorded \(result.set)@\(recorded.epoch): " + String(format: "%.2f%%", recorded.accuracy)
                    + (recorded.loss.map { ", loss " + String(format: "%.4f", $0) } ?? "")
                    + (agrees ? " (agrees)" : "  <-- DISAGREES (more than \(tolerance) points apart)")
            } else {
                entry["recorded"] = NSNull()
                line += "; the run records no \(result.set) value to compare with"
            }
            report["evaluation"] = entry
            lines.append(line)
        } else {
            try smokeTest(network, dataset: nb201Dataset)
            report["check"] = "finite logits on a synthetic batch"
            lines.append("check: a synthetic batch of 8 \(nb201Dataset.inputSize)x\(nb201Dataset.inputSize) images gives finite logits")
        }

        // Export in upstream order (the spec's), whatever order the source stored.
        let ordered = StateDict(spec.names.map { ($0, run.weights[$0]!) })
        do {
            if output.hasSuffix(".safetensors") {
                var metadata = ["format": "pt", "arch_str": requested.string, "num_classes": "\(run.classes)",
                                "dataset": run.dataset, "seed": "\(run.seed)", "hp": run.hyperParameters]
                if let channels = networkConfig.channelString {
                    metadata["channels"] = channels
                    metadata["genotype"] = networkConfig.architecture
                } else {
                    metadata["C"] = "\(networkConfig.channels)"
                    metadata["N"] = "\(networkConfig.cellsPerStage)"
                }
                if let requestedIndex { metadata["arch_index"] = "\(requestedIndex)" }
                try Safetensors.write(ordered, metadata: metadata, to: output)
            } else {
                try TorchSave.writeStateDict(ordered, to: output)
            }
        } catch { throw CommandFailure("\(output): \(error)") }
        report["output"] = output
        lines.append("wrote \(output)")
        if let config {
            try writeNetworkConfig(networkConfig, to: config)
            report["config"] = config
            lines.append("wrote \(config)")
        }

        if json {
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for line in lines { print(line) }
        }
        if disagrees && failOnDisagreement { throw ExitCode(3) }
    }

    private struct Evaluation {
        var set: String
        var setPath: String
        var images: Int
        var accuracy: Double
        var loss: Double
    }

    /// Top-1 accuracy (%) and mean cross-entropy over a whole evaluation set, read in batches.
    private func runEvaluation(_ network: TinyNetwork, path: String, dataset: NB201Dataset) throws -> Evaluation {
        let setPath = set.contains("/") ? set : "\(dataset.name)/\(set)"
        let setName = String(setPath.split(separator: "/").last ?? "")
        let reader: ImageSetReader
        do { reader = try ImageSetReader(path: path, set: setPath) } catch { throw CommandFailure("\(error)") }
        guard reader.classNames.count == network.config.classes else {
            throw CommandFailure("\(path): \(setPath) has \(reader.classNames.count) classes, the network \(network.config.classes)")
        }
        let pass: ForwardPass
        do {
            pass = try ForwardPass(network: network, height: reader.height, width: reader.width,
                                   microBatch: compute.microBatch, threads: compute.threads)
        } catch { throw CommandFailure("\(path): \(setPath): \(error)") }
        let classes = network.config.classes
        var logits = [Float](repeating: 0, count: batchSize * classes)
        var correct = 0
        var lossSum = 0.0
        let progress = Progress("evaluate \(setPath)", total: Int64(reader.count), unit: "images")
        defer { progress.finish() }
        var start = 0
        while start < reader.count {
            let n = min(batchSize, reader.count - start)
            let batch: ImageBatch
            do { batch = try reader.readBatch(start: start, count: n) } catch { throw CommandFailure("\(error)") }
            let input = batch.normalizedNCHW(mean: reader.mean, std: reader.std)
            do {
                try input.withUnsafeBufferPointer { x in
                    try logits.withUnsafeMutableBufferPointer { l in
                        try pass.run(images: x.baseAddress!, count: n, features: nil, logits: l.baseAddress!)
                    }
                }
            } catch { throw CommandFailure("\(path): \(setPath) images \(start)..<\(start + n): \(error)") }
            for i in 0..<n {
                let row = logits[(i * classes)..<((i + 1) * classes)]
                let label = Int(batch.labels[i])
                guard (0..<classes).contains(label) else {
                    throw CommandFailure("\(path): \(setPath) record \(start + i) has label \(label), outside 0..<\(classes)")
                }
                let best = row.indices.max { row[$0] < row[$1] }! - i * classes
                if best == label { correct += 1 }
                let top = Double(row.max()!)
                let logSum = top + log(row.reduce(0.0) { $0 + exp(Double($1) - top) })
                lossSum += logSum - Double(row[row.startIndex + label])
            }
            progress.advance(by: Int64(n))
            start += n
        }
        let count = max(reader.count, 1)
        return Evaluation(set: setName, setPath: setPath, images: reader.count,
                          accuracy: 100 * Double(correct) / Double(count), loss: lossSum / Double(count))
    }

    /// Proves the loaded network runs: 8 deterministic synthetic images must give finite logits.
    private func smokeTest(_ network: TinyNetwork, dataset: NB201Dataset) throws {
        let size = dataset.inputSize
        let values = (0..<(8 * 3 * size * size)).map { Float(sin(Double($0) * 0.37)) * 1.5 }
        do {
            _ = try network.forward(Tensor(shape: [8, 3, size, size], scalars: values), threads: compute.threads,
                                    microBatch: compute.microBatch)
        } catch { throw CommandFailure("the reloaded network does not run cleanly: \(error)") }
    }
}

#if canImport(Glibc)
import Glibc
#endif
