import CHDF5

/// How a dataset is stored: its chunk shape and filters (h5py's `chunks`,
/// `shuffle`, `compression_opts`).
public struct StorageLayout: Equatable, Sendable {
    /// nil for contiguous (or compact) datasets.
    public var chunks: [Int]?
    public var shuffle: Bool
    /// The deflate level, nil if the filter is absent.
    public var deflate: Int?
    /// Filter names in pipeline order, as HDF5 names them.
    public var filters: [String]
}

extension Dataset {
    /// The dataset's chunking and filters.
    public func storageLayout() throws -> StorageLayout {
        try ensureOpen()
        let plist = H5Dget_create_plist(id)
        guard plist >= 0 else { throw error(.failed, nil, "cannot read the creation properties") }
        let dcpl = Handle.propertyList(plist)
        var layout = StorageLayout(chunks: nil, shuffle: false, deflate: nil, filters: [])
        if H5Pget_layout(dcpl.id) == H5D_CHUNKED {
            var dims = [hsize_t](repeating: 0, count: 32)
            let rank = H5Pget_chunk(dcpl.id, 32, &dims)
            if rank > 0 { layout.chunks = dims.prefix(Int(rank)).map { Int($0) } }
        }
        for index in 0..<max(0, H5Pget_nfilters(dcpl.id)) {
            var flags: UInt32 = 0
            var nValues = 8
            var values = [UInt32](repeating: 0, count: 8)
            var name = [CChar](repeating: 0, count: 64)
            var config: UInt32 = 0
            let filter = H5Pget_filter2(dcpl.id, UInt32(index), &flags, &nValues, &values, name.count, &name, &config)
            layout.filters.append(String(nulTerminated: name))
            if filter == H5Z_FILTER_SHUFFLE { layout.shuffle = true }
            if filter == H5Z_FILTER_DEFLATE { layout.deflate = nValues > 0 ? Int(values[0]) : 6 }
        }
        return layout
    }

    /// Stores one already-filtered chunk at element `offset` (a multiple of the
    /// chunk shape) with HDF5's direct chunk write, bypassing the filter pipeline.
    /// `bytes` must be exactly what the dataset's filters would produce for the
    /// full chunk (see `ChunkEncoder`); `filterMask` bit i set = filter i skipped.
    public func writeRawChunk(offset: [Int], bytes: [UInt8], filterMask: UInt32 = 0) throws {
        try ensureOpen()
        let shape = self.shape
        guard offset.count == shape.count else {
            throw HDF5Error(.shapeMismatch, file: filePath, object: name, "chunk offset \(offset) has the wrong rank for shape \(shape)")
        }
        if let chunks = try storageLayout().chunks {
            for d in offset.indices where offset[d] % chunks[d] != 0 || offset[d] < 0 || offset[d] >= max(shape[d], 1) {
                throw HDF5Error(.shapeMismatch, file: filePath, object: name,
                                "chunk offset \(offset) is not a chunk corner inside shape \(shape) (chunks \(chunks))")
            }
        } else {
            throw HDF5Error(.unsupported, file: filePath, object: name, "direct chunk writes need a chunked dataset")
        }
        var off = offset.map { hsize_t($0) }
        let status = bytes.withUnsafeBytes { raw in
            H5Dwrite_chunk(id, nd_H5P_DEFAULT(), filterMask, &off, raw.count, raw.baseAddress)
        }
        guard status >= 0 else { throw error(.writeFailed, nil, "cannot write the raw chunk at \(offset)") }
    }

    /// The stored (filtered) bytes of the chunk at `offset` and its filter mask.
    public func readRawChunk(offset: [Int]) throws -> (bytes: [UInt8], filterMask: UInt32) {
        try ensureOpen()
        var off = offset.map { hsize_t($0) }
        var size: hsize_t = 0
        guard H5Dget_chunk_storage_size(id, &off, &size) >= 0 else {
            throw error(.objectNotFound, nil, "no stored chunk at \(offset)")
        }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        var mask: UInt32 = 0
        let status = bytes.withUnsafeMutableBytes { H5Dread_chunk(id, nd_H5P_DEFAULT(), &off, &mask, $0.baseAddress) }
        guard status >= 0 else { throw error(.failed, nil, "cannot read the raw chunk at \(offset)") }
        return (bytes, mask)
    }
}
