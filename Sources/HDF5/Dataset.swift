import CHDF5
import Tensors

/// An n-dimensional array of numbers or strings in a file, like `h5py.Dataset`.
/// Reads and writes go whole or by hyperslab (`start`, `count` per dimension).
public final class Dataset: Object, @unchecked Sendable {
    /// The current extent (scalar datasets: []).
    public var shape: [Int] { (try? extent().shape) ?? [] }
    /// The maximum extent; nil entries are unlimited.
    public var maxShape: [Int?] { (try? extent().maxShape) ?? [] }

    /// What one element is.
    public var elementType: ElementType {
        guard let type = try? storedType() else { return .other("closed") }
        return TypeMapping.elementType(of: type.id)
    }

    /// The numeric element type, or nil for string and unmapped datasets.
    public var dtype: DType? {
        if case .numeric(let d) = elementType { return d }
        return nil
    }

    public var elementCount: Int { shape.reduce(1, *) }

    // MARK: whole-dataset and hyperslab transfer

    /// Reads every element, converted by HDF5 to `T` if stored differently.
    public func read<T: TensorScalar>(as type: T.Type = T.self) throws -> [T] {
        try read(as: type, start: nil, count: nil)
    }

    /// Reads the box `start ..< start + count`, C order.
    public func read<T: TensorScalar>(as type: T.Type = T.self, start: [Int]?, count: [Int]?) throws -> [T] {
        let memType = try numericMemoryType(T.dtype)
        let n = try selectionCount(start: start, count: count)
        return try [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            try transfer(reading: true, memType: memType.id, buffer: UnsafeMutableRawPointer(buffer.baseAddress),
                         start: start, count: count, elements: n)
            initialized = n
        }
    }

    /// Writes every element; `values.count` must equal the element count.
    public func write<T: TensorScalar>(_ values: [T]) throws {
        try write(values, start: nil, count: nil)
    }

    /// Writes the box `start ..< start + count` from `values` (C order).
    public func write<T: TensorScalar>(_ values: [T], start: [Int]?, count: [Int]?) throws {
        let memType = try numericMemoryType(T.dtype)
        let n = try selectionCount(start: start, count: count)
        guard values.count == n else {
            throw HDF5Error(.shapeMismatch, file: filePath, object: name,
                            "\(values.count) values for a selection of \(n) elements")
        }
        try values.withUnsafeBytes { raw in
            try transfer(reading: false, memType: memType.id, buffer: UnsafeMutableRawPointer(mutating: raw.baseAddress),
                         start: start, count: count, elements: n)
        }
    }

    /// Reads the dataset (or the box `start ..< start + count`) as a tensor of its stored dtype.
    public func readTensor(start: [Int]? = nil, count: [Int]? = nil) throws -> Tensor {
        guard let dtype else {
            throw HDF5Error(.typeMismatch, file: filePath, object: name, "\(elementType) elements do not form a tensor")
        }
        let memType = try numericMemoryType(dtype)
        let n = try selectionCount(start: start, count: count)
        var bytes = [UInt8](repeating: 0, count: n * dtype.byteSize)
        try bytes.withUnsafeMutableBytes { raw in
            try transfer(reading: true, memType: memType.id, buffer: raw.baseAddress, start: start, count: count, elements: n)
        }
        return Tensor(dtype: dtype, shape: count ?? shape, bytes: bytes)
    }

    /// Writes a tensor: the whole dataset (shapes must match) or, with `start`, the
    /// box of the tensor's shape at `start`. HDF5 converts between numeric dtypes.
    public func writeTensor(_ tensor: Tensor, start: [Int]? = nil) throws {
        let memType = try numericMemoryType(tensor.dtype)
        if start == nil && tensor.shape != shape && !(tensor.shape.isEmpty && shape.isEmpty) {
            throw HDF5Error(.shapeMismatch, file: filePath, object: name,
                            "tensor of shape \(tensor.shape) written to a dataset of shape \(shape)")
        }
        let count = start == nil ? nil : tensor.shape
        let n = try selectionCount(start: start, count: count)
        try tensor.bytes.withUnsafeBytes { raw in
            try transfer(reading: false, memType: memType.id, buffer: UnsafeMutableRawPointer(mutating: raw.baseAddress),
                         start: start, count: count, elements: n)
        }
    }

    /// Grows (or shrinks) the first dimension to `n`; the dataset must be chunked
    /// with a max shape that allows it.
    public func extend(firstDimensionTo n: Int) throws {
        try ensureOpen()
        var dims = shape.map { hsize_t($0) }
        guard !dims.isEmpty else { throw HDF5Error(.shapeMismatch, file: filePath, object: name, "a scalar dataset cannot be extended") }
        dims[0] = hsize_t(n)
        guard H5Dset_extent(id, &dims) >= 0 else {
            throw error(.shapeMismatch, nil, "cannot extend the first dimension to \(n) (max shape \(maxShape.map { $0.map(String.init) ?? "unlimited" }))")
        }
    }

    /// Re-reads the dataset's metadata (extent) written by a SWMR writer since opening.
    public func refresh() throws {
        try ensureOpen()
        guard H5Drefresh(id) >= 0 else { throw error(.failed, nil, "cannot refresh") }
    }

    // MARK: internals

    func extent() throws -> (shape: [Int], maxShape: [Int?]) {
        try ensureOpen()
        let space = H5Dget_space(id)
        guard space >= 0 else { throw error(.failed, nil, "cannot read the dataspace") }
        defer { H5Sclose(space) }
        return Dataspace.extent(of: space)
    }

    func storedType() throws -> Handle {
        try ensureOpen()
        let type = H5Dget_type(id)
        guard type >= 0 else { throw error(.failed, nil, "cannot read the datatype") }
        return .datatype(type)
    }

    private func numericMemoryType(_ dtype: DType) throws -> Handle {
        try ensureOpen()
        let stored = elementType
        switch stored {
        case .numeric(let s):
            // HDF5 converts between integer and float types, but not to or from the bool enum.
            if (s == .bool) != (dtype == .bool) {
                throw HDF5Error(.typeMismatch, file: filePath, object: name, "dataset holds \(s), not \(dtype)")
            }
        default:
            throw HDF5Error(.typeMismatch, file: filePath, object: name, "dataset holds \(stored) elements, not \(dtype)")
        }
        return try TypeMapping.type(of: dtype, file: filePath, object: name)
    }

    /// Validates a selection and returns how many elements it holds.
    func selectionCount(start: [Int]?, count: [Int]?) throws -> Int {
        let shape = try extent().shape
        switch (start, count) {
        case (nil, nil): return shape.reduce(1, *)
        case let (start?, count?):
            guard start.count == shape.count, count.count == shape.count else {
                throw HDF5Error(.shapeMismatch, file: filePath, object: name,
                                "selection start \(start) count \(count) has the wrong rank for shape \(shape)")
            }
            for d in shape.indices where start[d] < 0 || count[d] < 0 || start[d] + count[d] > shape[d] {
                throw HDF5Error(.shapeMismatch, file: filePath, object: name,
                                "selection start \(start) count \(count) lies outside shape \(shape)")
            }
            return count.reduce(1, *)
        default:
            throw HDF5Error(.shapeMismatch, file: filePath, object: name, "give both start and count, or neither")
        }
    }

    /// Moves `elements` elements between memory and the file selection.
    func transfer(reading: Bool, memType: hid_t, buffer: UnsafeMutableRawPointer?,
                  start: [Int]?, count: [Int]?, elements: Int) throws {
        guard elements > 0 else { return }
        var fileSpace = nd_H5S_ALL()
        var memSpace = nd_H5S_ALL()
        var owned: [Handle] = []
        if let start, let count {
            let fs = H5Dget_space(id)
            guard fs >= 0 else { throw error(.failed, nil, "cannot read the dataspace") }
            owned.append(.dataspace(fs))
            try Dataspace.select(fs, start: start, count: count, file: filePath, object: name)
            let ms = try Dataspace.simple(count, file: filePath, object: name)
            owned.append(ms)
            fileSpace = fs
            memSpace = ms.id
        }
        let status = reading
            ? H5Dread(id, memType, memSpace, fileSpace, nd_H5P_DEFAULT(), buffer)
            : H5Dwrite(id, memType, memSpace, fileSpace, nd_H5P_DEFAULT(), buffer)
        withExtendedLifetime(owned) {}
        guard status >= 0 else {
            let what = start.map { " (start \($0), count \(count!))" } ?? ""
            throw error(reading ? .failed : .writeFailed, nil, reading ? "cannot read\(what)" : "cannot write\(what)")
        }
    }
}
