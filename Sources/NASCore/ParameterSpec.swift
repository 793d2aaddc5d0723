import Tensors

/// The exact state dict a network config has upstream: every key, its shape and
/// dtype, in `state_dict()` order (module registration order).
///
/// Public so that other checks (a downloaded `{index}-FULL.pth`, an archive run)
/// can compare whole files against it with `mismatches(in:)`.
public struct ParameterSpec: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        public var dtype: DType
    }

    public let config: NetworkConfig
    public let entries: [Entry]

    public init(_ config: NetworkConfig) throws {
        self.config = config
        let cell = try config.cell()
        var entries: [Entry] = []
        func conv(_ name: String, _ out: Int, _ inp: Int, _ k: Int) {
            entries.append(Entry(name: name + ".weight", shape: [out, inp, k, k], dtype: .float32))
        }
        func batchNorm(_ name: String, _ c: Int) {
            for p in ["weight", "bias", "running_mean", "running_var"] {
                entries.append(Entry(name: "\(name).\(p)", shape: [c], dtype: .float32))
            }
            entries.append(Entry(name: name + ".num_batches_tracked", shape: [], dtype: .int64))
        }
        let c0 = config.channels
        conv("stem.0", c0, 3, 3)
        batchNorm("stem.1", c0)
        var channels = c0
        for index in 0..<config.cellCount {
            let prefix = "cells.\(index)"
            if config.reductionCells.contains(index) {
                let out = 2 * channels
                conv(prefix + ".conv_a.op.1", out, channels, 3)
                batchNorm(prefix + ".conv_a.op.2", out)
                conv(prefix + ".conv_b.op.1", out, out, 3)
                batchNorm(prefix + ".conv_b.op.2", out)
                conv(prefix + ".downsample.1", out, channels, 1)
                channels = out
            } else {
                for (j, edge) in cell.edges.enumerated() {
                    guard let k = edge.operation.kernelSize else { continue }
                    conv("\(prefix).layers.\(j).op.1", channels, channels, k)
                    batchNorm("\(prefix).layers.\(j).op.2", channels)
                }
            }
        }
        batchNorm("lastact.0", channels)
        entries.append(Entry(name: "classifier.weight", shape: [config.classes, channels], dtype: .float32))
        entries.append(Entry(name: "classifier.bias", shape: [config.classes], dtype: .float32))
        self.entries = entries
    }

    public var names: [String] { entries.map(\.name) }

    /// Everything that keeps `stateDict` from loading strictly into this network
    /// (all problems at once, like PyTorch's `load_state_dict(strict=True)`), or nil.
    public func mismatches(in stateDict: StateDict) -> StateDictMismatch? {
        let expected = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0) })
        var problem = StateDictMismatch(config: config)
        problem.missing = entries.map(\.name).filter { stateDict[$0] == nil }
        // The convolution edges the weights have, read from the first cell (for the hint).
        for (name, tensor) in stateDict.entries where name.hasPrefix("cells.0.layers.") && name.hasSuffix(".op.1.weight") {
            let parts = name.split(separator: ".")
            if parts.count == 7, let edge = Int(parts[3]), tensor.shape.count == 4 {
                problem.convolutionEdgesInWeights[edge] = tensor.shape[3]
            }
        }
        if let cell = try? config.cell() {
            for (j, edge) in cell.edges.enumerated() {
                if let k = edge.operation.kernelSize { problem.convolutionEdgesInConfig[j] = k }
            }
        }
        for (name, tensor) in stateDict.entries {
            guard let entry = expected[name] else { problem.unexpected.append(name); continue }
            if tensor.shape != entry.shape {
                problem.shapeMismatches.append(.init(name: name, expected: entry.shape, found: tensor.shape))
            } else if entry.dtype == .float32 && !tensor.dtype.isFloatingPoint {
                problem.dtypeMismatches.append(.init(name: name, expected: entry.dtype, found: tensor.dtype))
            }
        }
        return problem.isEmpty ? nil : problem
    }

    /// Throws `StateDictMismatch` unless `stateDict` loads strictly.
    public func check(_ stateDict: StateDict) throws {
        if let problem = mismatches(in: stateDict) { throw problem }
    }

    /// Number of trainable parameters (running statistics not counted), as the
    /// benchmark's `params` counts them (times 1e6).
    public var trainableParameterCount: Int {
        entries.filter { !$0.name.hasSuffix("running_mean") && !$0.name.hasSuffix("running_var")
            && !$0.name.hasSuffix("num_batches_tracked") }
            .reduce(0) { $0 + $1.shape.reduce(1, *) }
    }
}

extension DType {
    package var isFloatingPoint: Bool {
        switch self {
        case .float64, .float32, .float16, .bfloat16: return true
        default: return false
        }
    }
}
