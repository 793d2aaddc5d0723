import Foundation
import ImageSet
import NASCore
import NASDataIO
import Tensors
import TinyNetwork
import TorchFormats

/// What `nasdata reload` is asked to do: which run, where its weights are, what to check and
/// where to export them.
public struct ReloadRequest: Sendable {
    /// Where the run's weights come from.
    public enum Source: Sendable, Equatable {
        /// An upstream `{index:06d}-FULL.pth` file, or a NATS-Bench result file with weights.
        case fullFile(String)
        /// A nasdata weight archive.
        case archive(String)

        public var path: String {
            switch self {
            case .fullFile(let p), .archive(let p): return p
            }
        }
    }

    public var source: Source
    /// The run's architecture (a topology cell or a size-space candidate) and its canonical index.
    public var architecture: SelectedArchitecture
    public var dataset: NB201Dataset
    /// nil: the lowest seed recorded.
    public var seed: Int?
    public var schedule: Schedule
    /// The exported state dict: `.pth` (torch zip) or `.safetensors`.
    public var output: String
    /// Where to write the network config JSON, if anywhere.
    public var config: String?
    /// An image set (`nb201-dataset` file) to evaluate on; nil runs a synthetic smoke test.
    public var evaluate: String?
    /// The evaluation set: `ori-test`, `x-valid`, `x-test` or `DATASET/SET`.
    public var set: String = "ori-test"
    public var batchSize: Int = 256
    /// Largest accuracy difference (percentage points) that still agrees with the record.
    public var tolerance: Double = 0.1
    public var threads: Int = 1
    public var microBatch: Int = 16
    /// Refuse a run whose file records another architecture, index or class count than the one
    /// asked for; false is `--ignore-metadata` (the mismatch becomes a warning and the requested
    /// architecture's network is built; a strict load still refuses weights that do not fit it).
    public var checkMetadata = true

    public init(source: Source, architecture: SelectedArchitecture, dataset: NB201Dataset, seed: Int?,
                schedule: Schedule, output: String) {
        self.source = source; self.architecture = architecture; self.dataset = dataset
        self.seed = seed; self.schedule = schedule; self.output = output
    }
}

/// What `reload` did: printed as lines, or as JSON (`--json`) with these keys.
public struct ReloadReport: Encodable, Sendable {
    public struct Recorded: Encodable, Sendable, Equatable {
        public var epoch: Int
        public var accuracy: Double
        public var loss: Double?

        enum CodingKeys: String, CodingKey { case epoch, accuracy, loss }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(epoch, forKey: .epoch); try c.encode(accuracy, forKey: .accuracy); try c.encode(loss, forKey: .loss)
        }
    }

    public struct Evaluation: Encodable, Sendable {
        public var data: String
        /// The set's path in the image set (`cifar10/ori-test`).
        public var set: String
        public var images: Int
        /// Top-1 accuracy (%).
        public var accuracy: Double
        /// Mean cross-entropy.
        public var loss: Double
        /// What the benchmark recorded for this set at its last epoch (nil: nothing recorded).
        public var recorded: Recorded?
        /// Whether `accuracy` is within the tolerance of the record (nil when nothing is recorded).
        public var agrees: Bool?

        enum CodingKeys: String, CodingKey { case data, set, images, accuracy, loss, recorded, agrees }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(data, forKey: .data); try c.encode(set, forKey: .set); try c.encode(images, forKey: .images)
            try c.encode(accuracy, forKey: .accuracy); try c.encode(loss, forKey: .loss)
            try c.encode(recorded, forKey: .recorded)
            try c.encodeIfPresent(agrees, forKey: .agrees)
        }
    }

    public var source: String
    /// `|op~0|+|...|` or `C1:C2:C3:C4:C5`.
    public var arch: String
    public var archIndex: Int
    public var space: SearchSpaceKind
    public var dataset: String
    public var seed: Int
    public var hp: Schedule
    public var classes: Int
    public var keys: Int
    public var parameters: Int
    public var warnings: [String]
    public var evaluation: Evaluation?
    /// Set when no evaluation ran: what was checked instead.
    public var check: String?
    public var output: String
    public var config: String?

    /// The human-readable report, one line a step.
    public var lines: [String] = []
    /// True when the evaluation disagrees with the record (`--fail-on-disagreement` exits 1).
    public var disagrees: Bool { evaluation?.agrees == false }

    enum CodingKeys: String, CodingKey {
        case source, arch, archIndex = "arch_index", space, dataset, seed, hp, classes, keys, parameters, warnings,
             evaluation, check, output, config
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source); try c.encode(arch, forKey: .arch)
        try c.encode(archIndex, forKey: .archIndex); try c.encode(space, forKey: .space)
        try c.encode(dataset, forKey: .dataset); try c.encode(seed, forKey: .seed); try c.encode(hp, forKey: .hp)
        try c.encode(classes, forKey: .classes); try c.encode(keys, forKey: .keys)
        try c.encode(parameters, forKey: .parameters); try c.encode(warnings, forKey: .warnings)
        try c.encodeIfPresent(evaluation, forKey: .evaluation); try c.encodeIfPresent(check, forKey: .check)
        try c.encode(output, forKey: .output); try c.encodeIfPresent(config, forKey: .config)
    }

    /// The report as one line of JSON with sorted keys.
    public func json() throws -> String { try oneLineJSON(self) }
}

/// `value` as one line of JSON with sorted keys (the `--json` output of `reload` and `forward`).
func oneLineJSON(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// `nasdata reload`: one run's trained weights into the training network, checked by running
/// it (on an image set, or on a synthetic batch), and exported for fine-tuning in PyTorch.
public enum Reloader {
    /// Loads, checks and exports; `warn` receives the network's load warnings as they happen.
    public static func run(_ request: ReloadRequest, warn: (String) -> Void = { _ in }) throws -> ReloadReport {
        let requested = request.architecture, dataset = request.dataset, hp = request.schedule
        let source = request.source.path
        let run: TrainedRun
        do {
            switch (request.source, requested) {
            case (.fullFile(let path), _):
                run = try TrainedRun.fromFullFile(path: path, dataset: dataset, seed: request.seed, schedule: hp)
            case (.archive(let path), _):
                run = try ArchiveRunLoader.load(path: path, architecture: requested, dataset: dataset, seed: request.seed,
                                                schedule: hp)
            }
        } catch let error as ReloadError { throw error } catch { throw ReloadError("\(error)") }

        var mismatches: [String] = []
        let runSpace: SearchSpaceKind = run.networkConfig == nil ? .topology : .size
        if run.architecture != requested.description || runSpace != requested.space {
            let theirs = (runSpace == .size ? (try? ChannelSizes(run.architecture))?.index
                                            : SearchSpace.canonical.index(of: run.architecture)).map { " (index \($0))" } ?? ""
            mismatches.append("the run is of \(runSpace == .size ? "size-space " : "")architecture "
                              + "\(run.architecture)\(theirs), not the requested \(requested.label)")
        } else if let fileIndex = run.architectureIndex, fileIndex != requested.index {
            mismatches.append("the file is for architecture index \(fileIndex), not \(requested.index)")
        }
        if run.classes != dataset.classCount {
            mismatches.append("the run records \(run.classes) classes, \(dataset.name) has \(dataset.classCount)")
        }
        if !mismatches.isEmpty {
            if request.checkMetadata {
                throw ReloadError("\(source): " + mismatches.joined(separator: "; ") + " (--ignore-metadata to load these weights anyway)")
            }
            for mismatch in mismatches { warn("\(source): \(mismatch) (ignored: --ignore-metadata)") }
        }

        // TinyNetwork(C=16, N=5, cell) or DynamicShapeTinyNet(channels, the cell the run's arch_config names);
        // under --ignore-metadata, the requested architecture's.
        let networkConfig = mismatches.isEmpty ? run.config
            : requested.networkConfig(classes: run.classes, genotype: run.networkConfig?.architecture ?? NetworkConfig.sizeSpaceCell)
        let spec = try ParameterSpec(networkConfig)
        let network: TinyNetwork
        do { network = try TinyNetwork(config: networkConfig, weights: run.weights) } catch {
            throw ReloadError("\(source) run (\(run.dataset), seed \(run.seed), hp \(hp)): \(error)")
        }
        for warning in network.warnings { warn("\(source): \(warning)") }

        var report = ReloadReport(source: source, arch: requested.description, archIndex: requested.index,
                                  space: requested.space, dataset: run.dataset, seed: run.seed, hp: hp, classes: run.classes,
                                  keys: spec.entries.count, parameters: spec.trainableParameterCount,
                                  warnings: mismatches.map { "\($0) (ignored: --ignore-metadata)" } + network.warnings,
                                  output: request.output)
        report.lines = ["reload: \(requested.label), \(run.dataset) seed \(run.seed), hp \(hp): \(spec.entries.count) tensors, "
                        + String(format: "%.6f", Double(spec.trainableParameterCount) / 1e6) + " M parameters, loaded strictly"]

        if let data = request.evaluate {
            let measured = try evaluate(network, path: data, request: request)
            var entry = ReloadReport.Evaluation(data: data, set: measured.setPath, images: measured.images,
                                                accuracy: measured.accuracy, loss: measured.loss)
            var line = "evaluate \(measured.setPath) (\(measured.images) images): accuracy "
                + String(format: "%.2f%%", measured.accuracy) + ", loss " + String(format: "%.4f", measured.loss)
            if let recorded = run.recorded(measured.set) {
                let agrees = abs(recorded.accuracy - measured.accuracy) <= request.tolerance
                entry.recorded = .init(epoch: recorded.epoch, accuracy: recorded.accuracy, loss: recorded.loss)
                entry.agrees = agrees
                line += "; recorded \(measured.set)@\(recorded.epoch): " + String(format: "%.2f%%", recorded.accuracy)
                    + (recorded.loss.map { ", loss " + String(format: "%.4f", $0) } ?? "")
                    + (agrees ? " (agrees)" : "  <-- DISAGREES (more than \(request.tolerance) points apart)")
            } else {
                line += "; the run records no \(measured.set) value to compare with"
            }
            report.evaluation = entry
            report.lines.append(line)
        } else {
            try smokeTest(network, dataset: dataset, request: request)
            report.check = "finite logits on a synthetic batch"
            report.lines.append("check: a synthetic batch of 8 \(dataset.inputSize)x\(dataset.inputSize) images gives finite logits")
        }

        try export(run: run, spec: spec, networkConfig: networkConfig, request: request)
        report.lines.append("wrote \(request.output)")
        if let config = request.config {
            report.config = config
            report.lines.append("wrote \(config)")
        }
        return report
    }

    /// Writes the state dict in upstream order (the spec's), whatever order the source stored,
    /// and the network config JSON if asked.
    static func export(run: TrainedRun, spec: ParameterSpec, networkConfig: NetworkConfig, request: ReloadRequest) throws {
        let output = request.output
        let ordered = StateDict(spec.names.map { ($0, run.weights[$0]!) })
        do {
            if output.hasSuffix(".safetensors") {
                var metadata = ["format": "pt", "arch_str": request.architecture.description, "num_classes": "\(run.classes)",
                                "dataset": run.dataset, "seed": "\(run.seed)", "hp": request.schedule.rawValue,
                                "arch_index": "\(request.architecture.index)"]
                if let channels = networkConfig.channelString {
                    metadata["channels"] = channels
                    metadata["genotype"] = networkConfig.architecture
                } else {
                    metadata["C"] = "\(networkConfig.channels)"
                    metadata["N"] = "\(networkConfig.cellsPerStage)"
                }
                try Safetensors.write(ordered, metadata: metadata, to: output)
            } else {
                try TorchSave.writeStateDict(ordered, to: output)
            }
        } catch { throw ReloadError("\(output): \(error)") }
        if let config = request.config { try writeConfig(networkConfig, to: config) }
    }

    /// Writes `config` as the JSON dict upstream's `get_cell_based_tiny_net` takes (atomically).
    static func writeConfig(_ config: NetworkConfig, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = try encoder.encode(config) + Data("\n".utf8)
        do {
            try AtomicOutput.write(to: path) { temp in
                guard FileManager.default.createFile(atPath: temp, contents: data) else {
                    throw IOError.system(operation: "create", path: temp, errno: errno)
                }
            }
        } catch { throw ReloadError("\(path): \(error)") }
    }

    struct Measured {
        var set: String
        var setPath: String
        var images: Int
        var accuracy: Double
        var loss: Double
    }

    /// Top-1 accuracy (%) and mean cross-entropy over a whole evaluation set, read in batches.
    static func evaluate(_ network: TinyNetwork, path: String, request: ReloadRequest) throws -> Measured {
        let set = request.set
        let setPath = set.contains("/") ? set : "\(request.dataset.name)/\(set)"
        let setName = String(setPath.split(separator: "/").last ?? "")
        let reader: ImageSetReader
        do { reader = try ImageSetReader(path: path, set: setPath) } catch { throw ReloadError("\(error)") }
        guard reader.classNames.count == network.config.classes else {
            throw ReloadError("\(path): \(setPath) has \(reader.classNames.count) classes, the network \(network.config.classes)")
        }
        let pass: ForwardPass
        do {
            pass = try ForwardPass(network: network, height: reader.height, width: reader.width,
                                   microBatch: request.microBatch, threads: request.threads)
        } catch { throw ReloadError("\(path): \(setPath): \(error)") }
        let classes = network.config.classes
        let batchSize = request.batchSize
        var logits = [Float](repeating: 0, count: batchSize * classes)
        var score = LogitScore(classes: classes)
        let progress = Progress("evaluate \(setPath)", total: Int64(reader.count), unit: "images")
        defer { progress.finish() }
        var start = 0
        while start < reader.count {
            let n = min(batchSize, reader.count - start)
            let batch: ImageBatch
            do { batch = try reader.readBatch(start: start, count: n) } catch { throw ReloadError("\(error)") }
            let input = batch.normalizedNCHW(mean: reader.mean, std: reader.std)
            do {
                try input.withUnsafeBufferPointer { x in
                    try logits.withUnsafeMutableBufferPointer { l in
                        try pass.run(images: x.baseAddress!, count: n, features: nil, logits: l.baseAddress!)
                    }
                }
            } catch { throw ReloadError("\(path): \(setPath) images \(start)..<\(start + n): \(error)") }
            for i in 0..<n {
                let label = Int(batch.labels[i])
                guard score.add(logits[(i * classes)..<((i + 1) * classes)], label: label) else {
                    throw ReloadError("\(path): \(setPath) record \(start + i) has label \(label), outside 0..<\(classes)")
                }
            }
            progress.advance(by: Int64(n))
            start += n
        }
        return Measured(set: setName, setPath: setPath, images: reader.count,
                        accuracy: score.accuracy(of: reader.count), loss: score.meanLoss(of: reader.count))
    }

    /// Proves the loaded network runs: 8 deterministic synthetic images must give finite logits.
    static func smokeTest(_ network: TinyNetwork, dataset: NB201Dataset, request: ReloadRequest) throws {
        let size = dataset.inputSize
        let values = (0..<(8 * 3 * size * size)).map { Float(sin(Double($0) * 0.37)) * 1.5 }
        do {
            _ = try network.forward(Tensor(shape: [8, 3, size, size], scalars: values), threads: request.threads,
                                    microBatch: request.microBatch)
        } catch { throw ReloadError("the reloaded network does not run cleanly: \(error)") }
    }
}

/// Top-1 hits and summed cross-entropy of logit rows against their labels.
public struct LogitScore: Sendable, Equatable {
    public let classes: Int
    public private(set) var correct = 0
    public private(set) var lossSum = 0.0

    public init(classes: Int) { self.classes = classes }

    /// Scores one row of `classes` logits; false (and nothing counted) when `label` is not a class.
    public mutating func add(_ row: ArraySlice<Float>, label: Int) -> Bool {
        guard (0..<classes).contains(label), row.count == classes else { return false }
        let best = row.indices.max { row[$0] < row[$1] }! - row.startIndex
        if best == label { correct += 1 }
        let top = Double(row.max()!)
        let logSum = top + log(row.reduce(0.0) { $0 + exp(Double($1) - top) })
        lossSum += logSum - Double(row[row.startIndex + label])
        return true
    }

    /// Top-1 accuracy in percent over `count` rows (an empty set counts as one row).
    public func accuracy(of count: Int) -> Double { 100 * Double(correct) / Double(max(count, 1)) }
    /// Mean cross-entropy over `count` rows.
    public func meanLoss(of count: Int) -> Double { lossSum / Double(max(count, 1)) }
}
