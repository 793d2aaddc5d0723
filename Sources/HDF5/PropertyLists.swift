import CHDF5

/// Property lists this layer uses, each returned as an owned handle.
enum PropertyLists {
    static func create(_ cls: hid_t, file: String, object: String?) throws -> Handle {
        HDF5Library.prepareThread()
        let id = H5Pcreate(cls)
        guard id >= 0 else { throw HDF5Error.fromLibrary(file: file, object: object, "cannot create a property list") }
        return .propertyList(id)
    }

    /// Link creation that makes missing intermediate groups ("a/b/c" in one call).
    static func linkCreation(file: String, object: String?) throws -> Handle {
        let lcpl = try create(nd_H5P_LINK_CREATE(), file: file, object: object)
        H5Pset_create_intermediate_group(lcpl.id, 1)
        return lcpl
    }

    /// File access: strong close degree (closing the file closes its objects, as in
    /// h5py) and the library-version bounds of `format`.
    static func fileAccess(_ format: File.Format, file: String) throws -> Handle {
        let fapl = try create(nd_H5P_FILE_ACCESS(), file: file, object: nil)
        H5Pset_fclose_degree(fapl.id, H5F_CLOSE_STRONG)
        if format == .swmr {
            H5Pset_libver_bounds(fapl.id, nd_H5F_LIBVER_LATEST(), nd_H5F_LIBVER_LATEST())
        }
        return fapl
    }
}
