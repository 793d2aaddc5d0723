import CHDF5
import Tensors

extension Group {
    /// Creates a numeric dataset.
    ///
    /// - maxShape: per-dimension maximum; nil entries are unlimited. A max shape
    ///   larger than `shape` makes the dataset extensible (and chunked).
    /// - chunks: chunk shape; guessed (~256 KiB chunks, whole trailing rows) when the
    ///   layout must be chunked (max shape, shuffle or deflate given) and none is set.
    /// - shuffle, deflate: HDF5's byte-shuffle filter and zlib level 0-9, in that order.
    @discardableResult
    public func createDataset(_ name: String, dtype: DType, shape: [Int], maxShape: [Int?]? = nil,
                              chunks: [Int]? = nil, shuffle: Bool = false, deflate: Int? = nil) throws -> Dataset {
        try ensureOpen()
        let full = path(of: name)
        let type = try TypeMapping.type(of: dtype, file: filePath, object: full)
        return try createDataset(name, type: type, elementSize: dtype.byteSize, shape: shape, maxShape: maxShape,
                                 chunks: chunks, shuffle: shuffle, deflate: deflate)
    }

    /// Creates a dataset holding `tensor` (contiguous unless chunking options are given).
    @discardableResult
    public func createDataset(_ name: String, tensor: Tensor, chunks: [Int]? = nil,
                              shuffle: Bool = false, deflate: Int? = nil) throws -> Dataset {
        let ds = try createDataset(name, dtype: tensor.dtype, shape: tensor.shape, chunks: chunks,
                                   shuffle: shuffle, deflate: deflate)
        try ds.writeTensor(tensor)
        return ds
    }

    /// Opens the existing dataset at `path`.
    public func openDataset(_ path: String) throws -> Dataset {
        try requireKind(path, .dataset)
        let did = H5Dopen2(id, path, nd_H5P_DEFAULT())
        guard did >= 0 else { throw error(.failed, self.path(of: path), "cannot open dataset") }
        return Dataset(handle: .dataset(did), fileHandle: fileHandle, filePath: filePath, name: self.path(of: path))
    }

    func createDataset(_ name: String, type: Handle, elementSize: Int, shape: [Int], maxShape: [Int?]?,
                       chunks: [Int]?, shuffle: Bool, deflate: Int?) throws -> Dataset {
        let full = path(of: name)
        if let maxShape, maxShape.count != shape.count {
            throw HDF5Error(.shapeMismatch, file: filePath, object: full, "max shape \(maxShape) has a different rank than shape \(shape)")
        }
        if let deflate, !(0...9).contains(deflate) {
            throw HDF5Error(.unsupported, file: filePath, object: full, "deflate level \(deflate) is not in 0...9")
        }
        let extensible = maxShape.map { zip($0, shape).contains { $0.0 == nil || $0.0! > $0.1 } } ?? false
        let chunked = chunks != nil || extensible || shuffle || deflate != nil
        if chunked && shape.isEmpty {
            throw HDF5Error(.unsupported, file: filePath, object: full, "a scalar dataset cannot be chunked")
        }
        let space = try Dataspace.simple(shape, maxShape: maxShape, file: filePath, object: full)
        let dcpl = try PropertyLists.create(nd_H5P_DATASET_CREATE(), file: filePath, object: full)
        H5Pset_obj_track_times(dcpl.id, false)  // identical input -> identical bytes
        if chunked {
            let chunkShape = chunks ?? ChunkGuess.shape(for: shape, maxShape: maxShape, elementSize: elementSize)
            guard chunkShape.count == shape.count, chunkShape.allSatisfy({ $0 > 0 }) else {
                throw HDF5Error(.shapeMismatch, file: filePath, object: full, "chunk shape \(chunkShape) does not fit shape \(shape)")
            }
            var dims = chunkShape.map { hsize_t($0) }
            guard H5Pset_chunk(dcpl.id, Int32(dims.count), &dims) >= 0 else {
                throw error(.shapeMismatch, full, "invalid chunk shape \(chunkShape)")
            }
            if shuffle { H5Pset_shuffle(dcpl.id) }
            if let deflate { H5Pset_deflate(dcpl.id, UInt32(deflate)) }
        }
        let lcpl = try PropertyLists.linkCreation(file: filePath, object: full)
        let did = H5Dcreate2(id, name, type.id, space.id, lcpl.id, dcpl.id, nd_H5P_DEFAULT())
        guard did >= 0 else {
            let stack = ErrorStack.takeCurrent()
            let exists = (try? self.exists(name)) ?? false
            throw HDF5Error(.writeFailed, file: filePath, object: full,
                            exists ? "cannot create dataset: the name exists already" : "cannot create dataset", stack: stack)
        }
        return Dataset(handle: .dataset(did), fileHandle: fileHandle, filePath: filePath, name: full)
    }
}

/// A chunk shape when the caller gives none, in the manner of h5py's guess: start
/// from the whole shape (empty dimensions count as 1024, room to grow) and halve
/// the dimensions in turn until a chunk is at most ~256 KiB.
enum ChunkGuess {
    static let targetBytes = 256 * 1024

    static func shape(for shape: [Int], maxShape: [Int?]?, elementSize: Int) -> [Int] {
        var chunk = shape.map { $0 == 0 ? 1024 : $0 }
        if let maxShape {  // never larger than a fixed maximum
            for d in chunk.indices { if let m = maxShape[d] { chunk[d] = max(1, min(chunk[d], m)) } }
        }
        var d = 0
        while chunk.reduce(elementSize, *) > targetBytes && chunk.contains(where: { $0 > 1 }) {
            if chunk[d] > 1 { chunk[d] = (chunk[d] + 1) / 2 }
            d = (d + 1) % chunk.count
        }
        return chunk
    }
}
