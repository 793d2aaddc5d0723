import ArgumentParser
import Foundation
import NASBench
import NASDataIO
import TinyNetwork

/// `--arch` (and `--space`) of `forward` and `reload`: a cell of the topology space (canonical
/// index or `|op~0|+|...|`) or a channel configuration of NATS-Bench's size space (index with
/// `--space sss`, or `C1:C2:C3:C4:C5`, which implies sss).
enum NetworkArchitecture {
    case topology(Architecture, index: Int?)
    case size(channels: [Int], index: Int?)

    var index: Int? {
        switch self {
        case let .topology(_, index), let .size(_, index): return index
        }
    }

    var isSizeSpace: Bool { if case .size = self { true } else { false } }

    /// The architecture string: `|op~0|+|...|` or `8:16:24:32:40`.
    var string: String {
        switch self {
        case let .topology(architecture, _): return architecture.description
        case let .size(channels, _): return channels.map(String.init).joined(separator: ":")
        }
    }

    /// `8:16:24:32:40 (index 1234)` or the cell string with its index.
    var label: String { string + (index.map { " (index \($0))" } ?? "") }

    /// The network upstream builds: `TinyNetwork(C, N, cell)` or `DynamicShapeTinyNet(channels, genotype)`.
    func networkConfig(classes: Int, channels: Int = 16, cellsPerStage: Int = 5,
                       genotype: String = NetworkConfig.sizeSpaceCell) -> NetworkConfig {
        switch self {
        case let .topology(architecture, _):
            return NetworkConfig(architecture: architecture.description, classes: classes, channels: channels,
                                 cellsPerStage: cellsPerStage)
        case let .size(layerChannels, _):
            return NetworkConfig(layerChannels: layerChannels, genotype: genotype, classes: classes)
        }
    }

    /// `--space` as given (nil: not given) and `--arch`.
    static func parse(_ text: String, space: String?) throws -> NetworkArchitecture {
        guard space == nil || space == "tss" || space == "sss" else {
            throw ValidationError("--space must be tss (topology) or sss (size), not \(space!)")
        }
        if let channels = NetworkConfig.parseLayerChannels(text) {
            if space == "tss" { throw ValidationError("--arch \(text) is a size-space architecture, but --space is tss") }
            guard channels.count % 3 == 2 else {
                throw ValidationError("--arch \(text): a size-space architecture has 3N+2 widths (five in NATS-Bench)")
            }
            return .size(channels: channels, index: NetworkConfig.sizeSpaceIndex(of: channels))
        }
        if space == "sss" {
            guard let index = Int(text) else {
                throw ValidationError("--arch \(text): with --space sss give an index (0-\(NetworkConfig.sizeSpaceCount - 1)) or C1:C2:C3:C4:C5")
            }
            guard let channels = NetworkConfig.sizeSpaceChannels(index: index) else {
                throw ValidationError("--arch \(text): a size-space index must be in 0..<\(NetworkConfig.sizeSpaceCount)")
            }
            return .size(channels: channels, index: index)
        }
        let (architecture, index) = try parseArchitecture(text)
        return .topology(architecture, index: index)
    }
}

/// Writes `config` as the JSON dict `get_cell_based_tiny_net` takes (atomically).
func writeNetworkConfig(_ config: NetworkConfig, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    let data = try encoder.encode(config) + Data("\n".utf8)
    do {
        try AtomicOutput.write(to: path) { temp in
            guard FileManager.default.createFile(atPath: temp, contents: data) else {
                throw IOError.system(operation: "create", path: temp, errno: errno)
            }
        }
    } catch { throw CommandFailure("\(path): \(error)") }
}

#if canImport(Glibc)
import Glibc
#endif
