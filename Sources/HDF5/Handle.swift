import CHDF5

/// Owns one HDF5 identifier (`hid_t`) and closes it exactly once: on `close()` or
/// when the last reference goes away.
///
/// Files are opened with the "strong" close degree (as h5py does), so closing a
/// file also closes every object still open in it; `close` therefore checks that
/// the identifier is still valid before closing it.
final class Handle: @unchecked Sendable {
    private(set) var id: hid_t
    private let closer: @Sendable (hid_t) -> herr_t

    init(_ id: hid_t, closer: @escaping @Sendable (hid_t) -> herr_t) {
        self.id = id
        self.closer = closer
    }

    var isOpen: Bool {
        HDF5Library.prepareThread()
        return id >= 0 && H5Iis_valid(id) > 0
    }

    /// Returns whether closing succeeded (false if it was closed already).
    @discardableResult
    func close() -> Bool {
        HDF5Library.prepareThread()
        guard id >= 0 else { return false }
        defer { id = -1 }
        guard H5Iis_valid(id) > 0 else { return false }
        return closer(id) >= 0
    }

    deinit { close() }

    static func file(_ id: hid_t) -> Handle { Handle(id) { H5Fclose($0) } }
    static func group(_ id: hid_t) -> Handle { Handle(id) { H5Gclose($0) } }
    static func dataset(_ id: hid_t) -> Handle { Handle(id) { H5Dclose($0) } }
    static func dataspace(_ id: hid_t) -> Handle { Handle(id) { H5Sclose($0) } }
    static func datatype(_ id: hid_t) -> Handle { Handle(id) { H5Tclose($0) } }
    static func attribute(_ id: hid_t) -> Handle { Handle(id) { H5Aclose($0) } }
    static func propertyList(_ id: hid_t) -> Handle { Handle(id) { H5Pclose($0) } }
}
