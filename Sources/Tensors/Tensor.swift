/// A dense, C-ordered (row-major), little-endian block of elements with a shape.
///
/// This is deliberately plain bytes: readers materialise views and strides
/// into this one canonical layout, and writers (torch, safetensors, npy, HDF5)
/// emit these bytes as they are. Typed access goes through `scalars(as:)`.
public struct Tensor: Equatable, Sendable {
    public var dtype: DType
    public var shape: [Int]
    /// `elementCount * dtype.byteSize` bytes, C order, little-endian.
    public var bytes: [UInt8]

    public init(dtype: DType, shape: [Int], bytes: [UInt8]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(bytes.count == shape.reduce(1, *) * dtype.byteSize,
                     "\(bytes.count) bytes do not fill a \(dtype) tensor of shape \(shape)")
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    public var elementCount: Int { shape.reduce(1, *) }

    /// Builds a tensor from typed values (this machine is little-endian, as is every format we write).
    public init<T: TensorScalar>(shape: [Int], scalars: [T]) {
        precondition(scalars.count == shape.reduce(1, *), "\(scalars.count) values do not fill shape \(shape)")
        let bytes = scalars.withUnsafeBytes { Array($0) }
        self.init(dtype: T.dtype, shape: shape, bytes: bytes)
    }

    /// The elements as `T`, which must match `dtype` exactly.
    public func scalars<T: TensorScalar>(as type: T.Type) -> [T] {
        precondition(T.dtype == dtype, "tensor holds \(dtype), not \(T.dtype)")
        return [T](unsafeUninitializedCapacity: elementCount) { buffer, count in
            bytes.withUnsafeBytes { raw in
                _ = memcpy(buffer.baseAddress!, raw.baseAddress!, raw.count)
            }
            count = elementCount
        }
    }

    /// Every element converted to Float (for float and integer dtypes alike).
    public func floatValues() -> [Float] {
        switch dtype {
        case .float32: return scalars(as: Float.self)
        case .float64: return scalars(as: Double.self).map(Float.init)
        case .int64: return scalars(as: Int64.self).map(Float.init)
        case .int32: return scalars(as: Int32.self).map(Float.init)
        case .int16: return scalars(as: Int16.self).map(Float.init)
        case .int8: return scalars(as: Int8.self).map(Float.init)
        case .uint8: return scalars(as: UInt8.self).map(Float.init)
        case .bool: return bytes.map { $0 == 0 ? 0 : 1 }
        case .float16:
            return stride(from: 0, to: bytes.count, by: 2).map {
                Float(Float16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8))
            }
        case .bfloat16:
            return stride(from: 0, to: bytes.count, by: 2).map {
                Float(bitPattern: (UInt32(bytes[$0]) | UInt32(bytes[$0 + 1]) << 8) << 16)
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Swift scalar types that map one-to-one onto a `DType`.
public protocol TensorScalar: Sendable {
    static var dtype: DType { get }
}
extension Double: TensorScalar { public static var dtype: DType { .float64 } }
extension Float: TensorScalar { public static var dtype: DType { .float32 } }
extension Int64: TensorScalar { public static var dtype: DType { .int64 } }
extension Int32: TensorScalar { public static var dtype: DType { .int32 } }
extension Int16: TensorScalar { public static var dtype: DType { .int16 } }
extension Int8: TensorScalar { public static var dtype: DType { .int8 } }
extension UInt8: TensorScalar { public static var dtype: DType { .uint8 } }
