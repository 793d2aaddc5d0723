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
