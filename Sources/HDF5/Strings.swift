import CHDF5
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Group {
    /// Creates a 1-D dataset of variable-length UTF-8 strings (h5py's `string_dtype()`)
    /// holding `strings`. With `extensible`, it is chunked and can grow with
    /// `extend(firstDimensionTo:)` + `writeStrings(_:start:)`.
    @discardableResult
    public func createStringDataset(_ name: String, _ strings: [String], extensible: Bool = false,
                                    chunk: Int = 1024, deflate: Int? = nil) throws -> Dataset {
        try ensureOpen()
        let full = path(of: name)
        let type = try TypeMapping.variableString(file: filePath, object: full)
        let ds = try createDataset(name, type: type, elementSize: MemoryLayout<UnsafePointer<CChar>>.size,
                                   shape: [strings.count], maxShape: extensible ? [nil] : nil,
                                   chunks: (extensible || deflate != nil) ? [max(1, chunk)] : nil,
                                   shuffle: false, deflate: deflate)
        try ds.writeStrings(strings)
        return ds
    }
}

extension Dataset {
    /// Reads a 1-D (or any-rank, flattened) dataset of strings, variable or fixed length.
    public func readStrings(start: Int? = nil, count: Int? = nil) throws -> [String] {
        let type = try storedType()
        guard H5Tget_class(type.id) == H5T_STRING else {
            throw HDF5Error(.typeMismatch, file: filePath, object: name, "dataset holds \(elementType) elements, not strings")
        }
        let sel: (start: [Int]?, count: [Int]?) = start.map { ([$0], [count ?? (shape.first ?? 0) - $0]) } ?? (nil, nil)
        let n = try selectionCount(start: sel.start, count: sel.count)
        let memType = H5Tcopy(type.id)
        guard memType >= 0 else { throw error(.failed, nil, "cannot copy the string type") }
        defer { H5Tclose(memType) }
        return try StringCodec.read(count: n, type: memType, file: filePath, object: name) { buffer in
            try transfer(reading: true, memType: memType, buffer: buffer, start: sel.start, count: sel.count, elements: n)
        }
    }

    /// Writes variable-length strings at `start` (the whole 1-D dataset by default).
    public func writeStrings(_ strings: [String], start: Int = 0) throws {
        let type = try storedType()
        guard H5Tis_variable_str(type.id) > 0 else {
            throw HDF5Error(.typeMismatch, file: filePath, object: name, "dataset does not hold variable-length strings")
        }
        let whole = start == 0 && strings.count == elementCount
        let sel: (start: [Int]?, count: [Int]?) = whole ? (nil, nil) : ([start], [strings.count])
        let n = try selectionCount(start: sel.start, count: sel.count)
        guard n == strings.count else {
            throw HDF5Error(.shapeMismatch, file: filePath, object: name, "\(strings.count) strings for \(n) elements")
        }
        try StringCodec.withCStrings(strings) { pointers in
            try transfer(reading: false, memType: type.id, buffer: pointers, start: sel.start, count: sel.count, elements: n)
        }
    }
}

/// Moving Swift strings in and out of HDF5 string buffers (variable or fixed length).
enum StringCodec {
    /// Calls `body` with an array of `strdup`ed C strings, freed afterwards.
    static func withCStrings<R>(_ strings: [String], _ body: (UnsafeMutableRawPointer) throws -> R) throws -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        return try pointers.withUnsafeMutableBytes { try body($0.baseAddress!) }
    }

    /// Reads `count` strings of `type` through `fill`, which transfers into the buffer.
    static func read(count: Int, type: hid_t, file: String, object: String?,
                     _ fill: (UnsafeMutableRawPointer) throws -> Void) throws -> [String] {
        guard count > 0 else { return [] }
        if H5Tis_variable_str(type) > 0 {
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            try pointers.withUnsafeMutableBytes { try fill($0.baseAddress!) }
            let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
            // HDF5 allocated each string; hand them back to its allocator.
            pointers.forEach { if let p = $0 { H5free_memory(p) } }
            return strings
        }
        let size = H5Tget_size(type)
        guard size > 0 else { throw HDF5Error.fromLibrary(file: file, object: object, "invalid string size") }
        var bytes = [UInt8](repeating: 0, count: count * size)
        try bytes.withUnsafeMutableBytes { try fill($0.baseAddress!) }
        return (0..<count).map { i in
            let slice = bytes[(i * size)..<((i + 1) * size)]
            let end = slice.firstIndex(of: 0) ?? slice.endIndex
            var s = String(decoding: slice[slice.startIndex..<end], as: UTF8.self)
            if H5Tget_strpad(type) == H5T_STR_SPACEPAD { while s.hasSuffix(" ") { s.removeLast() } }
            return s
        }
    }
}

extension String {
    /// The text of a C buffer up to its first NUL (libhdf5 fills fixed-size `char` buffers).
    init(nulTerminated buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
