import CHDF5

/// What reading every dataset of a file found (`File.readEveryDataset()`).
public struct ContentCheckSummary: Sendable, Equatable {
    /// Datasets read completely through their filter pipelines.
    public var datasetsRead = 0
    /// Bytes delivered by those reads (in memory types).
    public var bytesRead: Int64 = 0
    /// Groups visited.
    public var groups = 0
    /// Datasets not read because this libhdf5 lacks one of their filters: path and filter
    /// ("lzf (32000)"). Not damage: the content cannot be checked here.
    public var missingFilters: [MissingFilter] = []
    /// Datasets not read because they declare far more data than the file stores (more
    /// than `maxExpansion` times their stored bytes and over 1 GiB: sparse datasets of
    /// unwritten chunks, or a hostile extent that would take hours to read as fill values),
    /// or an element larger than the read block (a crafted type size).
    public var notRead: [String] = []

    /// The largest ratio of declared to stored bytes read (real compression stays far below).
    public static let maxExpansion: Int64 = 1000

    public struct MissingFilter: Sendable, Equatable {
        public var dataset: String
        public var filter: String
    }
}

extension File {
    /// Opens an HDF5 file image held in memory (the core driver, nothing on disk);
    /// `name` stands for the file in errors. For tests and fuzzing of the layers above
    /// libhdf5 without temporary files.
    public static func open(image: [UInt8], name: String = "<memory>") throws -> File {
        HDF5Library.prepareThread()
        guard !image.isEmpty else { throw HDF5Error(.notHDF5, file: name, "empty file image") }
        let fapl = try PropertyLists.fileAccess(.compatible, file: name)
        guard H5Pset_fapl_core(fapl.id, 1 << 16, false) >= 0 else {
            throw HDF5Error.fromLibrary(file: name, "cannot select the in-memory (core) driver")
        }
        let status = image.withUnsafeBytes { H5Pset_file_image(fapl.id, UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count) }
        guard status >= 0 else { throw HDF5Error.fromLibrary(file: name, "cannot attach the file image") }
        let fid = H5Fopen(name, nd_H5F_ACC_RDONLY(), fapl.id)
        guard fid >= 0 else {
            let stack = ErrorStack.takeCurrent()
            let truncated = stack.joined(separator: " ").lowercased().contains("truncated")
            throw HDF5Error(truncated ? .truncated : .failed, file: name,
                            truncated ? "truncated HDF5 file image" : "cannot open the HDF5 file image", stack: stack)
        }
        return File(fid, path: name)
    }

    /// Walks every group (hard links only: soft links are followed by name once,
    /// external links never) and reads every dataset completely, in blocks of at most
    /// `blockBytes` (aligned to the dataset's chunks), through its filter pipeline: a
    /// corrupt compressed chunk, a failed Fletcher-32 checksum or a chunk that lies past
    /// the end of the file is an error naming the dataset. A dataset whose filter this
    /// libhdf5 does not have (lzf, blosc, ...) is listed in `missingFilters`, not read.
    public func readEveryDataset(blockBytes: Int = 8 << 20) throws -> ContentCheckSummary {
        try ensureOpen()
        var summary = ContentCheckSummary()
        var seen = Set<haddr_t>()
        var pending: [Group] = [self]
        summary.groups = 1
        while let group = pending.popLast() {
            let gid = group.id, gpath = group.name
            for name in try group.memberNames() {
                let full = gpath == "/" ? "/" + name : gpath + "/" + name
                var link = H5L_info_t()
                guard H5Lget_info(gid, name, &link, nd_H5P_DEFAULT()) >= 0 else {
                    throw HDF5Error.fromLibrary(file: filePath, object: full, "cannot read the link")
                }
                if link.type == H5L_TYPE_EXTERNAL { continue }
                var info = H5O_info_t()
                guard H5Oget_info_by_name2(gid, name, &info, UInt32(H5O_INFO_BASIC), nd_H5P_DEFAULT()) >= 0 else {
                    if link.type == H5L_TYPE_SOFT { _ = ErrorStack.takeCurrent(); continue }  // dangling soft link
                    throw HDF5Error.fromLibrary(file: filePath, object: full, "cannot read the object header")
                }
                guard seen.insert(info.addr).inserted else { continue }   // shared or cyclic links: once
                switch info.type {
                case H5O_TYPE_GROUP:
                    let sub = H5Gopen2(gid, name, nd_H5P_DEFAULT())
                    guard sub >= 0 else { throw HDF5Error.fromLibrary(file: filePath, object: full, "cannot open the group") }
                    pending.append(Group(handle: .group(sub), fileHandle: fileHandle, filePath: filePath, name: full))
                    summary.groups += 1
                case H5O_TYPE_DATASET:
                    try readDataset(parent: gid, name: name, path: full, blockBytes: max(blockBytes, 1 << 12), into: &summary)
                default:
                    continue
                }
            }
        }
        return summary
    }

    private func readDataset(parent: hid_t, name: String, path: String, blockBytes: Int,
                             into summary: inout ContentCheckSummary) throws {
        func failure(_ what: String) -> HDF5Error { .fromLibrary(file: filePath, object: path, what) }
        let dapl = try PropertyLists.create(nd_H5P_DATASET_ACCESS(), file: filePath, object: path)
        let did = H5Dopen2(parent, name, dapl.id)
        guard did >= 0 else { throw failure("cannot open the dataset") }
        let dataset = Handle.dataset(did)

        // Filters first: one this library lacks makes the dataset uncheckable, not corrupt.
        let plist = H5Dget_create_plist(dataset.id)
        guard plist >= 0 else { throw failure("cannot read the creation properties") }
        let dcpl = Handle.propertyList(plist)
        for index in 0..<max(0, H5Pget_nfilters(dcpl.id)) {
            var flags: UInt32 = 0
            var nValues = 0
            var nameBuffer = [CChar](repeating: 0, count: 80)
            var config: UInt32 = 0
            let filter = H5Pget_filter2(dcpl.id, UInt32(index), &flags, &nValues, nil, nameBuffer.count, &nameBuffer, &config)
            guard filter >= 0 else { throw failure("cannot read filter \(index) of the pipeline") }
            if H5Zfilter_avail(filter) <= 0 {
                _ = ErrorStack.takeCurrent()
                let stored = nameBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
                let known = ContentCheckSummary.knownFilterNames[Int(filter)]
                let label = (known ?? (stored.isEmpty ? "filter" : stored)) + " (\(filter))"
                summary.missingFilters.append(.init(dataset: path, filter: label))
                return
            }
        }

        // Shape and chunking.
        let space = H5Dget_space(dataset.id)
        guard space >= 0 else { throw failure("cannot read the dataspace") }
        let fileSpace = Handle.dataspace(space)
        let shape = Dataspace.extent(of: fileSpace.id).shape
        if H5Sget_simple_extent_type(fileSpace.id) == H5S_NULL || shape.contains(0) { summary.datasetsRead += 1; return }
        var chunk: [Int]?
        if H5Pget_layout(dcpl.id) == H5D_CHUNKED {
            var dims = [hsize_t](repeating: 0, count: 32)
            let rank = H5Pget_chunk(dcpl.id, 32, &dims)
            if rank == Int32(shape.count) { chunk = dims.prefix(Int(rank)).map { max(1, Int($0)) } }
        }

        // Memory type: the native equivalent of the stored type (a copy when there is none).
        let stored = H5Dget_type(dataset.id)
        guard stored >= 0 else { throw failure("cannot read the datatype") }
        let fileType = Handle.datatype(stored)
        var mem = H5Tget_native_type(fileType.id, H5T_DIR_ASCEND)
        if mem < 0 { _ = ErrorStack.takeCurrent(); mem = H5Tcopy(fileType.id) }
        guard mem >= 0 else { throw failure("cannot make a memory type") }
        let memType = Handle.datatype(mem)
        let elementSize = max(1, H5Tget_size(memType.id))
        // One element larger than the block budget (a crafted type size): never allocated.
        guard elementSize <= blockBytes else {
            summary.notRead.append(path)
            return
        }
        let variable = H5Tdetect_class(memType.id, H5T_VLEN) > 0 || H5Tis_variable_str(memType.id) > 0

        // Chunk cache large enough for one chunk, so blocks never decompress a chunk twice.
        if let chunk {
            let chunkBytes = chunk.reduce(elementSize) { $0 &* $1 }
            H5Pset_chunk_cache(dapl.id, 521, max(1 << 20, min(chunkBytes * 2, 256 << 20)), 1.0)
        }

        // Declared against stored size: reading a huge extent of fill values checks nothing.
        var logical = Int64(elementSize)
        var overflow = false
        for d in shape where !overflow { (logical, overflow) = logical.multipliedReportingOverflow(by: Int64(d)) }
        let storedBytes = Int64(clamping: H5Dget_storage_size(dataset.id))
        if overflow || (logical > 1 << 30 && logical / ContentCheckSummary.maxExpansion > storedBytes) {
            summary.notRead.append(path)
            return
        }

        let block = ContentCheckSummary.blockShape(shape: shape, chunk: chunk, elementSize: elementSize, budget: blockBytes)
        let blockElements = block.reduce(1, *)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: blockElements * elementSize, alignment: 16)
        defer { buffer.deallocate() }
        var start = [Int](repeating: 0, count: shape.count)
        while true {
            let count = shape.indices.map { min(block[$0], shape[$0] - start[$0]) }
            let n = count.reduce(1, *)
            let memSpace = try Dataspace.simple(shape.isEmpty ? [1] : count, file: filePath, object: path)
            if !shape.isEmpty {
                try Dataspace.select(fileSpace.id, start: start, count: count, file: filePath, object: path)
            }
            let status = H5Dread(dataset.id, memType.id, memSpace.id, shape.isEmpty ? nd_H5S_ALL() : fileSpace.id,
                                 nd_H5P_DEFAULT(), buffer)
            guard status >= 0 else {
                throw failure("read failed at \(start) (\(count)): the stored data does not decode")
            }
            if variable { H5Dvlen_reclaim(memType.id, memSpace.id, nd_H5P_DEFAULT(), buffer) }
            summary.bytesRead += Int64(n * elementSize)
            // Next block (odometer over the block grid, last dimension fastest).
            var d = shape.count - 1
            while d >= 0 {
                start[d] += block[d]
                if start[d] < shape[d] { break }
                start[d] = 0
                d -= 1
            }
            if d < 0 { break }
        }
        summary.datasetsRead += 1
    }
}

extension ContentCheckSummary {
    /// Registered ids of filters h5py users meet that a plain libhdf5 lacks.
    static let knownFilterNames: [Int: String] = [
        32000: "lzf", 32001: "blosc", 32004: "lz4", 307: "bzip2", 32008: "bitshuffle", 32015: "zstd",
        32017: "sz", 32026: "blosc2", 32013: "zfp",
    ]

    /// The block read at once: whole chunks (several along the first dimension when they
    /// are small), or for contiguous data the trailing dimensions that fit `budget` bytes.
    static func blockShape(shape: [Int], chunk: [Int]?, elementSize: Int, budget: Int) -> [Int] {
        guard !shape.isEmpty else { return [] }
        let budgetElements = max(1, budget / elementSize)
        if var block = chunk.map({ zip($0, shape).map { min($0, $1) } }) {
            let elements = block.reduce(1, *)
            if elements <= budgetElements {
                block[0] = min(shape[0], block[0] * max(1, budgetElements / elements))
                return block
            }
            // A chunk larger than the budget: read it in parts (correct, only slower).
        }
        var block = [Int](repeating: 1, count: shape.count)
        var inner = 1
        for d in shape.indices.reversed() {
            let (whole, overflow) = inner.multipliedReportingOverflow(by: shape[d])
            if !overflow && whole <= budgetElements {
                block[d] = shape[d]
                inner *= shape[d]
            } else {
                block[d] = max(1, budgetElements / inner)
                break
            }
        }
        return block
    }
}
