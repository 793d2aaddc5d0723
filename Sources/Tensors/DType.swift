/// The element types a tensor or array can hold, named as PyTorch names them.
///
/// Shared by every format nasdata reads or writes (torch `.pth`, safetensors,
/// `.npy`, HDF5 datasets) so that one name means one memory layout everywhere.
public enum DType: String, CaseIterable, Sendable, Codable {
    case float64, float32, float16, bfloat16
    case int64, int32, int16, int8, uint8
    case bool

    /// Bytes one element occupies.
    public var byteSize: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    /// The torch storage class that holds this type in a legacy checkpoint
    /// (`torch.FloatStorage` and so on), without the `torch.` prefix.
    public var torchStorageName: String {
        switch self {
        case .float64: return "DoubleStorage"
        case .float32: return "FloatStorage"
        case .float16: return "HalfStorage"
        case .bfloat16: return "BFloat16Storage"
        case .int64: return "LongStorage"
        case .int32: return "IntStorage"
        case .int16: return "ShortStorage"
        case .int8: return "CharStorage"
        case .uint8: return "ByteStorage"
        case .bool: return "BoolStorage"
        }
    }

    public init?(torchStorageName name: String) {
        guard let match = DType.allCases.first(where: { $0.torchStorageName == name }) else { return nil }
        self = match
    }

    /// The dtype string safetensors uses in its JSON header.
    public var safetensorsName: String {
        switch self {
        case .float64: return "F64"
        case .float32: return "F32"
        case .float16: return "F16"
        case .bfloat16: return "BF16"
        case .int64: return "I64"
        case .int32: return "I32"
        case .int16: return "I16"
        case .int8: return "I8"
        case .uint8: return "U8"
        case .bool: return "BOOL"
        }
    }

    public init?(safetensorsName name: String) {
        guard let match = DType.allCases.first(where: { $0.safetensorsName == name }) else { return nil }
        self = match
    }

    /// The little-endian numpy type string (`<f4`, `|u1`, ...); bfloat16 has none.
    public var numpyDescr: String? {
        switch self {
        case .float64: return "<f8"
        case .float32: return "<f4"
        case .float16: return "<f2"
        case .bfloat16: return nil
        case .int64: return "<i8"
        case .int32: return "<i4"
        case .int16: return "<i2"
        case .int8: return "|i1"
        case .uint8: return "|u1"
        case .bool: return "|b1"
        }
    }
}
