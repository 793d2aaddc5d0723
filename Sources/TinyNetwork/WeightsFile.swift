import NASCore
import NASDataIO
import Pickle
import Tensors
import TorchFormats

/// Reads a state dict from any file format nasdata accepts for network weights:
/// a torch `.pth` (zip or legacy `torch.save` of a state dict, or of a dict holding one
/// under `state_dict` / `net_state_dict`) or a `.safetensors` file. Sniffed by content,
/// not by name.
public enum WeightsFile {
    public enum Format: String, Sendable { case torchZip = "torch-zip", torchLegacy = "torch-legacy", safetensors }

    public static func format(of path: String) throws -> Format {
        let head = try firstBytes(of: path, count: 9)
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .torchZip }
        if head.first == 0x80 { return .torchLegacy }
        // safetensors: u64 little-endian header length, then a JSON object.
        if head.count == 9, head[8] == UInt8(ascii: "{") { return .safetensors }
        throw IOError.malformed(path: path, offset: 0,
                                reason: "not a weights file (neither a torch .pth, zip or legacy, nor safetensors)")
    }

    public static func load(path: String) throws -> StateDict {
        switch try format(of: path) {
        case .safetensors:
            return try Safetensors.read(path: path).0
        case .torchZip, .torchLegacy:
            let value = try TorchCheckpoint.load(path: path)
            for key in ["state_dict", "net_state_dict"] where value[.string(key)].dict != nil {
                return try value[.string(key)].stateDict()
            }
            do {
                return try value.stateDict()
            } catch {
                throw IOError.malformed(path: path, offset: nil,
                                        reason: "holds \(value.typeName), not a state dict: \(error)")
            }
        }
    }

    private static func firstBytes(of path: String, count: Int) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else { throw IOError.system(operation: "open", path: path, errno: errno) }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: count)
        let n = fread(&buffer, 1, count, file)
        return Array(buffer.prefix(n))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a weights file records about the network it is for, against what the user asked.
extension WeightsFile {
    /// Refuses weights whose recorded architecture, class count or data set (safetensors metadata
    /// as `nasdata reload` and `archive extract` write it: `arch_str`, `arch_index`, `num_classes`,
    /// `dataset`) differs from the requested one, naming both (`dataset` nil: not compared). The cells of every NB201 architecture share
    /// parameter keys and shapes, so a strict load alone cannot tell them apart. Torch `.pth`
    /// files record nothing and pass.
    public static func checkMetadata(path: String, architecture: SelectedArchitecture, classes: Int?,
                                     dataset: String? = nil) throws {
        guard try format(of: path) == .safetensors else { return }
        let metadata = try Safetensors.metadata(path: path)
        var problems: [String] = []
        if let recorded = metadata["arch_str"], recorded != architecture.description {
            let theirIndex = metadata["arch_index"].map { " (index \($0))" } ?? ""
            problems.append("architecture \(recorded)\(theirIndex), not the requested \(architecture.label)")
        } else if let recorded = metadata["arch_index"].flatMap(Int.init), recorded != architecture.index {
            problems.append("architecture index \(recorded), not the requested \(architecture.index)")
        }
        if let recorded = metadata["num_classes"].flatMap(Int.init), let classes, recorded != classes {
            problems.append("\(recorded) classes, not the requested \(classes)")
        }
        if let recorded = metadata["dataset"], let dataset, recorded != dataset {
            problems.append("data set \(recorded), not the requested \(dataset)")
        }
        guard problems.isEmpty else {
            throw IOError.malformed(path: path, offset: nil,
                                    reason: "its metadata records " + problems.joined(separator: " and ")
                                        + " (--ignore-metadata to use these weights anyway)")
        }
    }
}
