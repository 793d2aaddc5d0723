import Foundation
import NASCore
import Tensors
import TinyNetwork
import TorchFormats

/// What `nasdata forward` is asked to do: which network, whose weights, which images, where the
/// logits go.
public struct ForwardRequest: Sendable {
    /// Where the weights come from.
    public enum Weights: Sendable, Equatable {
        /// A state dict file: `.pth` (zip or legacy `torch.save`) or `.safetensors`.
        case file(String)
        /// One run of a nasdata weight archive (either space); seed nil: the lowest one.
        case archive(String, dataset: NB201Dataset, seed: Int?, schedule: Schedule)

        public var path: String {
            switch self {
            case .file(let p), .archive(let p, _, _, _): return p
            }
        }
    }

    public var weights: Weights
    /// The network's architecture: a topology cell or a size-space candidate.
    public var architecture: SelectedArchitecture
    /// Classifier outputs; nil takes the archive run's, or `dataset`'s.
    public var classes: Int?
    /// With `.file`: the data set the weights were trained on, if the user named it (its class
    /// count is the default of `classes`; compared with the file's metadata).
    public var dataset: NB201Dataset?
    /// Topology network: channels of the first stage and cells per stage (16 and 5 in the benchmark).
    public var channels = 16
    public var cellsPerStage = 5
    /// Size-space network: its cell (NATS-Bench's fixed one unless given).
    public var genotype = NetworkConfig.sizeSpaceCell
    /// Images: `.npy` float [B, 3, H, W], already normalised.
    public var input: String
    /// Logits `.npy` (float32 [B, classes]).
    public var output: String
    /// Pooled features `.npy` (float32 [B, features]), if wanted.
    public var features: String?
    /// The network config JSON for `get_cell_based_tiny_net`, if wanted.
    public var config: String?
    /// Times the batch is run (for timing; the output is the same).
    public var repeats = 1
    public var threads = 1
    public var microBatch = 16
    /// Refuse a weights file whose metadata records another architecture, class count or data set
    /// (`WeightsFile.checkMetadata`); false is `--ignore-metadata`.
    public var checkMetadata = true

    public init(weights: Weights, architecture: SelectedArchitecture, classes: Int?, input: String, output: String) {
        self.weights = weights; self.architecture = architecture; self.classes = classes
        self.input = input; self.output = output
    }
}

/// What `forward` did: printed as lines, or as JSON (`--json`) with these keys.
public struct ForwardReport: Encodable, Sendable {
    public var images: Int
    public var height: Int
    public var width: Int
    public var classes: Int
    public var arch: String
    public var archIndex: Int
    public var space: SearchSpaceKind
    public var threads: Int
    public var microBatch: Int
    public var repeats: Int
    /// Wall time of the timed forward passes (all repeats), without file reading.
    public var seconds: Double
    public var imagesPerSecond: Double
    /// The OpenBLAS kernel set in use.
    public var blasCore: String
    /// The arg-max label of each image.
    public var argmax: [Int]
    public var output: String
    public var warnings: [String]
    /// The human-readable report.
    public var lines: [String] = []

    enum CodingKeys: String, CodingKey {
        case images, height, width, classes, arch, archIndex = "arch_index", space, threads, microBatch = "micro_batch",
             repeats = "repeat", seconds, imagesPerSecond = "images_per_second", blasCore = "blas_core", argmax,
             output, warnings
    }

    /// The report as one line of JSON with sorted keys.
    public func json() throws -> String { try oneLineJSON(self) }
}

/// `nasdata forward`: logits of a batch of images through one architecture's network (eval
/// mode, CPU), its weights loaded strictly.
public enum Forwarder {
    /// Loads, runs and writes; `warn` receives the network's load warnings.
    public static func run(_ request: ForwardRequest, warn: (String) -> Void = { _ in }) throws -> ForwardReport {
        let source = request.weights.path
        let stateDict: StateDict
        var classes = request.classes
        do {
            switch (request.weights, request.architecture) {
            case (.file(let path), _):
                classes = classes ?? request.dataset?.classCount
                if request.checkMetadata {
                    try WeightsFile.checkMetadata(path: path, architecture: request.architecture, classes: classes,
                                                  dataset: request.dataset?.name)
                }
                stateDict = try WeightsFile.load(path: path)
            case (.archive(let path, let dataset, let seed, let schedule), let architecture):
                let run = try ArchiveRunLoader.load(path: path, architecture: architecture, dataset: dataset, seed: seed,
                                                    schedule: schedule)
                classes = classes ?? run.classes
                stateDict = run.weights
            }
        } catch let error as ReloadError { throw error } catch { throw ReloadError("\(error)") }
        guard let classes, classes >= 1 else { throw ReloadError("the number of classes must be given (at least 1)") }

        let networkConfig = request.architecture.networkConfig(classes: classes, channels: request.channels,
                                                               cellsPerStage: request.cellsPerStage,
                                                               genotype: request.genotype)
        let network: TinyNetwork
        do { network = try TinyNetwork(config: networkConfig, weights: stateDict) } catch {
            throw ReloadError("\(source): \(error)")
        }
        if let config = request.config { try Reloader.writeConfig(networkConfig, to: config) }
        for warning in network.warnings { warn("\(source): \(warning)") }

        let input = request.input
        let images: Tensor
        do { images = try NPY.read(path: input) } catch { throw ReloadError("\(error)") }
        guard images.shape.count == 4, images.shape[1] == 3, images.dtype == .float32 || images.dtype == .float64 else {
            throw ReloadError("\(input): expected float images [batch, 3, height, width], found \(images.dtype) \(images.shape)")
        }
        let (b, h, w) = (images.shape[0], images.shape[2], images.shape[3])
        let pass: ForwardPass
        do {
            pass = try ForwardPass(network: network, height: h, width: w, microBatch: request.microBatch,
                                   threads: request.threads)
        } catch { throw ReloadError("\(input): \(error)") }
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
                        for _ in 0..<max(request.repeats, 1) {
                            try pass.run(images: x.baseAddress!, count: b, features: f.baseAddress!, logits: l.baseAddress!)
                        }
                        seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                    }
                }
            }
        } catch { throw ReloadError("\(input): \(error)") }

        do {
            try NPY.write(Tensor(shape: [b, classes], scalars: logits), to: request.output)
        } catch { throw ReloadError("\(request.output): \(error)") }
        if let features = request.features {
            do {
                try NPY.write(Tensor(shape: [b, network.featureCount], scalars: pooled), to: features)
            } catch { throw ReloadError("\(features): \(error)") }
        }

        let labels = stride(from: 0, to: logits.count, by: classes).map { start in
            (0..<classes).max { logits[start + $0] < logits[start + $1] } ?? 0
        }
        let repeats = max(request.repeats, 1)
        let rate = seconds > 0 ? Double(b * repeats) / seconds : 0
        var report = ForwardReport(images: b, height: h, width: w, classes: classes, arch: request.architecture.description,
                                   archIndex: request.architecture.index, space: request.architecture.space,
                                   threads: request.threads, microBatch: request.microBatch, repeats: repeats,
                                   seconds: seconds, imagesPerSecond: rate, blasCore: BLASKernelSelection.coreName,
                                   argmax: labels, output: request.output, warnings: network.warnings)
        report.lines = [
            "forward: \(b) image(s) \(h)x\(w) -> logits [\(b), \(classes)] in \(String(format: "%.3f", seconds)) s "
                + "(\(String(format: "%.1f", rate)) images/s, \(request.threads) thread(s), OpenBLAS \(BLASKernelSelection.coreName))",
            "arg-max: " + labels.prefix(32).map(String.init).joined(separator: " ") + (labels.count > 32 ? " ..." : ""),
            "wrote \(request.output)" + (request.features.map { " and \($0)" } ?? "") + (request.config.map { " and \($0)" } ?? ""),
        ]
        return report
    }
}
