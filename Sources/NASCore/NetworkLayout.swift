import Tensors

/// The layer plan both networks share, and NATS-Bench's size-space network.
///
/// Upstream's topology network (`TinyNetwork`) and size-space network (`DynamicShapeTinyNet`,
/// xautodl `models/shape_infers/InferTinyCellNet.py`) have the same modules and state-dict keys:
/// a 3x3 stem conv + BN, then 3N+2 layers (N cells, a stride-2 ResNet basic block, N cells, a
/// basic block, N cells), then BN-ReLU, global average pool and a linear classifier. They differ
/// only in the layers' output channels: C, 2C, 4C per stage in the topology network; any list
/// `C1:...:C(3N+2)` in the size network (N = 1 in NATS-Bench, each from {8, 16, ..., 64}), whose
/// stem has C1 channels. A cell whose input width differs from its output width
/// (size space only) builds its node-0 edges from C_in to C_out; its other edges are C_out to C_out.
extension NetworkConfig {
    /// NATS-Bench's size-space network (`infer.shape.tiny`) with these per-layer channels and cell.
    public init(layerChannels: [Int], genotype: String = NetworkConfig.sizeSpaceCell, classes: Int) {
        self.init(architecture: genotype, classes: classes, channels: layerChannels.first ?? 0,
                  cellsPerStage: layerChannels.count / 3)
        self.layerChannels = layerChannels
    }

    /// The cell every NATS-Bench size-space network is trained with (its runs' `arch_config.genotype`).
    public static let sizeSpaceCell =
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"

    /// NATS-Bench's size-space network for one candidate of the size space.
    public init(size: ChannelSizes, genotype: String = NetworkConfig.sizeSpaceCell, classes: Int) {
        self.init(layerChannels: size.channels, genotype: genotype, classes: classes)
    }

    /// `8:16:24:32:40` for a size-space network, nil for the topology one.
    public var channelString: String? { layerChannels.map(ChannelSizes.format) }

    /// One layer of the plan: a cell (stride 1) or a reduction block (ResNet basic block, stride 2).
    public struct Layer: Equatable, Sendable {
        public var isReduction: Bool
        public var inChannels: Int
        public var outChannels: Int
    }

    /// The 3N+2 layers of `cells.*`, in order.
    public var layers: [Layer] {
        let n = cellsPerStage
        let widths = layerChannels
            ?? Array(repeating: channels, count: n) + Array(repeating: 2 * channels, count: n + 1)
            + Array(repeating: 4 * channels, count: n + 1)
        var previous = widths.first ?? channels
        return widths.enumerated().map { index, width in
            defer { previous = width }
            return Layer(isReduction: index == n || index == 2 * n + 1, inChannels: previous, outChannels: width)
        }
    }

    /// Width of the pooled feature vector (the last layer's channels).
    public var featureCount: Int { layers.last?.outChannels ?? channels }

    /// Throws unless the layer plan is one upstream can build (3N+2 positive widths).
    package func checkLayout() throws {
        if let layerChannels {
            guard layerChannels.count % 3 == 2, layerChannels.allSatisfy({ $0 > 0 }) else {
                throw NetworkConfigError.badLayerChannels(layerChannels)
            }
        } else if channels < 1 || cellsPerStage < 1 {
            throw NetworkConfigError.badSize(channels: channels, cellsPerStage: cellsPerStage)
        }
    }

    /// How upstream would print the network: `TinyNetwork(C=16, N=5, |...|, classes=10)` or
    /// `DynamicShapeTinyNet(channels=8:16:24:32:40, |...|, classes=10)`.
    public var summary: String {
        if let channelString {
            return "DynamicShapeTinyNet(channels=\(channelString), \(architecture), classes=\(classes))"
        }
        return "TinyNetwork(C=\(channels), N=\(cellsPerStage), \(architecture), classes=\(classes))"
    }

    static func decodeSizeSpace(_ c: KeyedDecodingContainer<CodingKeys>) throws -> NetworkConfig {
        // xautodl takes `channels` as "C1:C2:..." or as a list of ints.
        let channels: [Int]
        if let text = try? c.decode(String.self, forKey: .layerChannels) {
            guard let parsed = ChannelSizes.parseWidths(text) else {
                throw DecodingError.dataCorruptedError(forKey: .layerChannels, in: c,
                    debugDescription: "channels \"\(text)\" is not of the form C1:C2:C3:C4:C5")
            }
            channels = parsed
        } else {
            channels = try c.decode([Int].self, forKey: .layerChannels)
        }
        return NetworkConfig(layerChannels: channels, genotype: try c.decode(String.self, forKey: .genotype),
                             classes: try c.decode(Int.self, forKey: .classes))
    }

    func encodeSizeSpace(_ c: inout KeyedEncodingContainer<CodingKeys>) throws {
        try c.encode("infer.shape.tiny", forKey: .name)
        try c.encode(channelString, forKey: .layerChannels)
        try c.encode(architecture, forKey: .genotype)
        try c.encode(classes, forKey: .classes)
    }

    /// The per-layer channels a state dict's tensors imply (stem, then each `cells.i`'s output
    /// convolutions), for the mismatch hint; nil when a layer cannot be told.
    static func layerChannels(in stateDict: StateDict, layerCount: Int) -> [Int]? {
        var widths: [Int] = []
        for index in 0..<layerCount {
            let prefix = "cells.\(index)."
            let width = stateDict.entries.first {
                $0.0.hasPrefix(prefix) && $0.0.hasSuffix(".weight") && $0.1.shape.count == 4
            }?.1.shape[0]
            guard let width else { return nil }
            widths.append(width)
        }
        return widths
    }
}

/// A network config no upstream network can be built from.
public enum NetworkConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    case badLayerChannels([Int])
    case badSize(channels: Int, cellsPerStage: Int)

    public var description: String {
        switch self {
        case let .badLayerChannels(widths):
            return "size-space channels \(widths.map(String.init).joined(separator: ":")) must be 3N+2 positive widths "
                + "(five in NATS-Bench, each from \(ChannelSizes.choices.map(String.init).joined(separator: ", ")))"
        case let .badSize(channels, cellsPerStage):
            return "C=\(channels), N=\(cellsPerStage): both must be at least 1"
        }
    }
}
