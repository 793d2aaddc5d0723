import CHDF5

extension Group {
    /// Creates `name` here as an external link to `path` inside the HDF5 file `file`.
    ///
    /// A relative `file` is resolved by HDF5 (and h5py) against the directory of the
    /// file holding the link, so a file and its link targets can move together.
    public func createExternalLink(_ name: String, file: String, path: String) throws {
        try ensureOpen()
        let lcpl = try PropertyLists.linkCreation(file: filePath, object: self.path(of: name))
        guard H5Lcreate_external(file, path, id, name, lcpl.id, nd_H5P_DEFAULT()) >= 0 else {
            throw error(.failed, self.path(of: name), "cannot create an external link to \(file):\(path)")
        }
    }

    /// Creates `name` here as a soft link to the in-file path `target`.
    public func createSoftLink(_ name: String, target: String) throws {
        try ensureOpen()
        let lcpl = try PropertyLists.linkCreation(file: filePath, object: self.path(of: name))
        guard H5Lcreate_soft(target, id, name, lcpl.id, nd_H5P_DEFAULT()) >= 0 else {
            throw error(.failed, self.path(of: name), "cannot create a soft link to \(target)")
        }
    }

    /// The file and path an external link at `path` points to.
    func externalLinkTarget(_ path: String) throws -> MemberKind {
        var info = H5L_info_t()
        guard H5Lget_info(id, path, &info, nd_H5P_DEFAULT()) >= 0 else {
            throw error(.objectNotFound, self.path(of: path), "cannot read the link")
        }
        let size = info.u.val_size
        var buffer = [UInt8](repeating: 0, count: Int(size))
        guard H5Lget_val(id, path, &buffer, size, nd_H5P_DEFAULT()) >= 0 else {
            throw error(.failed, self.path(of: path), "cannot read the external link's value")
        }
        var flags: UInt32 = 0
        var fileName: UnsafePointer<CChar>?
        var objectName: UnsafePointer<CChar>?
        guard H5Lunpack_elink_val(&buffer, size, &flags, &fileName, &objectName) >= 0,
              let fileName, let objectName else {
            throw error(.failed, self.path(of: path), "malformed external link")
        }
        return .externalLink(file: String(cString: fileName), path: String(cString: objectName))
    }
}
