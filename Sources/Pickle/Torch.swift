import Tensors

/// Where a checkpoint keeps its storages' bytes (the legacy file's trailing records,
/// or the zip's `data/<key>` entries). Implemented by the TorchFormats loaders; a
/// plain pickle has none, and materialising its tensors throws.
public protocol StorageSource: AnyObject, Sendable {
    /// Reads `byteCount` bytes starting `byteOffset` bytes into `storage`'s data.
    func read(_ storage: TorchStorage, byteOffset: Int, byteCount: Int) throws -> [UInt8]
}

/// A torch storage named by a persistent id: a flat array of `elementCount` elements
/// of `dtype`, identified by `key` in its checkpoint. Bytes are read only on demand.
public final class TorchStorage: @unchecked Sendable {
    public let key: String
    public let dtype: DType
    public let elementCount: Int
    /// `cpu`, `cuda:0`, ... (as saved; nasdata always reads to the CPU).
    public let location: String
    /// Legacy storage views: this storage is `elementCount` elements of storage
    /// `key`, starting `viewOffset` elements in. 0 otherwise.
    public let viewOffset: Int
    public let source: (any StorageSource)?

    public init(key: String, dtype: DType, elementCount: Int, location: String,
                viewOffset: Int = 0, source: (any StorageSource)?) {
        self.key = key; self.dtype = dtype; self.elementCount = elementCount
        self.location = location; self.viewOffset = viewOffset; self.source = source
    }

    /// Reads `count` elements from element `start` (bounds checked).
    public func read(elementOffset start: Int, count: Int) throws -> [UInt8] {
        guard start >= 0, count >= 0, start <= elementCount, count <= elementCount - start else {
            throw PickleError(path: "<storage \(key)>", offset: 0, reason: .malformed(
                "elements \(start)..<\(start + count) are outside storage '\(key)' of \(elementCount) elements"))
        }
        if count == 0 { return [] }
        guard let source else {
            throw PickleError(path: "<storage \(key)>", offset: 0,
                              reason: .malformed("storage '\(key)' has no data source (plain pickle)"))
        }
        return try source.read(self, byteOffset: (viewOffset + start) * dtype.byteSize, byteCount: count * dtype.byteSize)
    }
}

/// A torch tensor as `torch._utils._rebuild_tensor_v2` describes it: a strided view
/// of a storage. `materialize()` reads just the bytes the view covers.
public struct TorchTensor: Equatable, Sendable {
    public let storage: TorchStorage
    /// In elements.
    public let storageOffset: Int
    public let shape: [Int]
    /// In elements, one per dimension.
    public let stride: [Int]
    public let requiresGrad: Bool
    /// Saved as `torch.nn.Parameter` (`_rebuild_parameter`).
    public internal(set) var isParameter = false

    public init(storage: TorchStorage, storageOffset: Int, shape: [Int], stride: [Int], requiresGrad: Bool = false) {
        self.storage = storage; self.storageOffset = storageOffset; self.shape = shape
        self.stride = stride; self.requiresGrad = requiresGrad
    }

    public var dtype: DType { storage.dtype }
    public var elementCount: Int { shape.reduce(1, *) }

    public static func == (a: TorchTensor, b: TorchTensor) -> Bool {
        a.storage === b.storage && a.storageOffset == b.storageOffset && a.shape == b.shape && a.stride == b.stride
    }

    /// True when the view is dense and row-major (its bytes are one contiguous run).
    public var isContiguous: Bool {
        var expected = 1
        for (d, s) in zip(shape, stride).reversed() where d != 1 {
            if s != expected { return false }
            expected *= d
        }
        return true
    }

    /// The number of storage elements the view spans from `storageOffset` (0 if empty).
    public var span: Int {
        if shape.contains(0) { return 0 }
        return zip(shape, stride).reduce(1) { $0 + ($1.0 - 1) * $1.1 }
    }

    /// Reads the view and returns it as a dense C-ordered tensor (views, offsets and
    /// non-contiguous strides resolved; shared storages read independently).
    public func materialize() throws -> Tensor {
        let span = self.span
        let raw = try storage.read(elementOffset: storageOffset, count: span)
        if isContiguous { return Tensor(dtype: dtype, shape: shape, bytes: raw) }
        let dense = Strided.gather(raw, itemSize: dtype.byteSize, shape: shape, strides: stride, offset: 0)
        return Tensor(dtype: dtype, shape: shape, bytes: dense)
    }

    /// Checks the geometry (used when the tensor is built, so errors carry the pickle's offset).
    func validate() -> String? {
        guard shape.count == stride.count else { return "size has \(shape.count) dims but stride \(stride.count)" }
        guard shape.allSatisfy({ $0 >= 0 }), stride.allSatisfy({ $0 >= 0 }), storageOffset >= 0 else {
            return "negative size, stride or offset"
        }
        var span = 1
        if !shape.contains(0) {
            for (d, s) in zip(shape, stride) {
                let (m, o1) = (d - 1).multipliedReportingOverflow(by: s)
                let (sum, o2) = span.addingReportingOverflow(m)
                if o1 || o2 { return "size/stride overflow" }
                span = sum
            }
            let (end, o) = storageOffset.addingReportingOverflow(span)
            if o || end > storage.elementCount {
                return "view of \(span) elements at offset \(storageOffset) exceeds storage '\(storage.key)' of \(storage.elementCount) elements"
            }
        } else if storageOffset > storage.elementCount {
            return "storage offset \(storageOffset) beyond storage '\(storage.key)' of \(storage.elementCount) elements"
        }
        return nil
    }
}

extension PickleValue {
    /// The tensors of a state dict (a dict or OrderedDict of name -> tensor),
    /// materialised in order. Throws naming the first entry that is not a tensor.
    public func stateDict() throws -> StateDict {
        guard case .dict(let d) = self else {
            throw PickleError(path: "<value>", offset: 0, reason: .malformed("a state dict must be a dict, not \(typeName)"))
        }
        var sd = StateDict()
        for (k, v) in zip(d.keys, d.values) {
            guard let name = k.string else {
                throw PickleError(path: "<value>", offset: 0, reason: .malformed("state dict key \(k.shortDescription) is not a string"))
            }
            switch v {
            case .tensor(let t): sd[name] = try t.materialize()
            case .ndarray(let a): sd[name] = try a.tensor()
            default:
                throw PickleError(path: "<value>", offset: 0,
                                  reason: .malformed("state dict entry '\(name)' is \(v.typeName), not a tensor"))
            }
        }
        return sd
    }
}
