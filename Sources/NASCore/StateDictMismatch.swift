import Tensors

/// Why a state dict does not load strictly into a network: every missing key,
/// unexpected key and shape mismatch at once, worded like PyTorch's
/// `load_state_dict(strict=True)` error, plus a hint at the likely cause
/// (another architecture, another class count).
public struct StateDictMismatch: Error, CustomStringConvertible, Equatable, Sendable {
    public struct ShapeMismatch: Equatable, Sendable {
        public var name: String
        public var expected: [Int]
        public var found: [Int]
    }
    public struct DTypeMismatch: Equatable, Sendable {
        public var name: String
        public var expected: DType
        public var found: DType
    }

    public var config: NetworkConfig
    public var missing: [String] = []
    public var unexpected: [String] = []
    public var shapeMismatches: [ShapeMismatch] = []
    public var dtypeMismatches: [DTypeMismatch] = []
    /// Edge index -> kernel size of the convolution edges in the weights' first cell, and in the config's.
    public var convolutionEdgesInWeights: [Int: Int] = [:]
    public var convolutionEdgesInConfig: [Int: Int] = [:]

    public init(config: NetworkConfig) { self.config = config }

    public var isEmpty: Bool {
        missing.isEmpty && unexpected.isEmpty && shapeMismatches.isEmpty && dtypeMismatches.isEmpty
    }

    public var description: String {
        var lines = ["Error(s) in loading state_dict for TinyNetwork(C=\(config.channels), N=\(config.cellsPerStage), "
                     + "\(config.architecture), classes=\(config.classes)):"]
        lines += hints
        func quoted(_ names: [String]) -> String { names.map { "\"\($0)\"" }.joined(separator: ", ") }
        if !missing.isEmpty { lines.append("\tMissing key(s) in state_dict: \(quoted(missing)).") }
        if !unexpected.isEmpty { lines.append("\tUnexpected key(s) in state_dict: \(quoted(unexpected)).") }
        for m in shapeMismatches {
            lines.append("\tsize mismatch for \(m.name): copying a param with shape \(m.found) from checkpoint, "
                         + "the shape in current model is \(m.expected).")
        }
        for m in dtypeMismatches {
            lines.append("\tdtype mismatch for \(m.name): the checkpoint holds \(m.found), the model needs \(m.expected).")
        }
        return lines.joined(separator: "\n")
    }

    /// Plain-language guesses at the cause.
    public var hints: [String] {
        var hints: [String] = []
        if let m = shapeMismatches.first(where: { $0.name == "classifier.weight" || $0.name == "classifier.bias" }),
           let found = m.found.first, let expected = m.expected.first, found != expected {
            hints.append("hint: the weights are for \(found) classes, the network was configured for \(expected)")
        }
        let cellKeys = (missing + unexpected + shapeMismatches.map(\.name)).filter { $0.contains(".layers.") }
        if !cellKeys.isEmpty {
            func list(_ edges: [Int: Int]) -> String {
                edges.isEmpty ? "none" : edges.keys.sorted().map { "\($0) (\(edges[$0]!)x\(edges[$0]!))" }.joined(separator: ", ")
            }
            hints.append("hint: the weights belong to another architecture: their cells have convolution edges "
                         + "\(list(convolutionEdgesInWeights)), \(config.architecture) has \(list(convolutionEdgesInConfig))")
        }
        return hints
    }
}
