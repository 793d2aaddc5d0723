import CHDF5

/// Dataspace helpers: shapes in Swift `Int`s, hyperslab selections.
enum Dataspace {
    static func simple(_ shape: [Int], maxShape: [Int?]? = nil, file: String, object: String?) throws -> Handle {
        HDF5Library.prepareThread()
        var dims = shape.map { hsize_t($0) }
        let id: hid_t
        if let maxShape {
            var max = maxShape.map { $0.map { hsize_t($0) } ?? nd_H5S_UNLIMITED() }
            id = H5Screate_simple(Int32(shape.count), &dims, &max)
        } else if shape.isEmpty {
            id = H5Screate(H5S_SCALAR)
        } else {
            id = H5Screate_simple(Int32(shape.count), &dims, nil)
        }
        guard id >= 0 else {
            throw HDF5Error.fromLibrary(.shapeMismatch, file: file, object: object,
                                        "invalid shape \(shape) (max shape \(maxShape.map { "\($0)" } ?? "none"))")
        }
        return .dataspace(id)
    }

    /// The current and maximum extent of a dataspace (nil max = unlimited); scalar -> [].
    static func extent(of space: hid_t) -> (shape: [Int], maxShape: [Int?]) {
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard rank > 0 else { return ([], []) }
        var dims = [hsize_t](repeating: 0, count: rank)
        var max = [hsize_t](repeating: 0, count: rank)
        H5Sget_simple_extent_dims(space, &dims, &max)
        // Clamped: a crafted file may declare extents beyond Int.max (never a real one).
        return (dims.map { Int(clamping: $0) }, max.map { $0 == nd_H5S_UNLIMITED() ? nil : Int(clamping: $0) })
    }

    /// Selects the box `start ..< start + count` in `space`.
    static func select(_ space: hid_t, start: [Int], count: [Int], file: String, object: String?) throws {
        var s = start.map { hsize_t($0) }
        var c = count.map { hsize_t($0) }
        guard H5Sselect_hyperslab(space, H5S_SELECT_SET, &s, nil, &c, nil) >= 0 else {
            throw HDF5Error.fromLibrary(.shapeMismatch, file: file, object: object,
                                        "cannot select start \(start) count \(count)")
        }
    }
}
