import CHDF5
import Tensors

/// A group: a directory of named members (groups, datasets, links), like `h5py.Group`.
/// Paths may be relative ("a/b") or absolute ("/a/b").
public class Group: Object, @unchecked Sendable {
    /// Creates the group at `path`, with any missing intermediate groups.
    @discardableResult
    public func createGroup(_ path: String) throws -> Group {
        try ensureOpen()
        let lcpl = try PropertyLists.linkCreation(file: filePath, object: self.path(of: path))
        let gcpl = try PropertyLists.create(nd_H5P_GROUP_CREATE(), file: filePath, object: self.path(of: path))
        H5Pset_obj_track_times(gcpl.id, false)
        let gid = H5Gcreate2(id, path, lcpl.id, gcpl.id, nd_H5P_DEFAULT())
        guard gid >= 0 else {
            let stack = ErrorStack.takeCurrent()
            let exists = (try? self.exists(path)) ?? false
            throw HDF5Error(.writeFailed, file: filePath, object: self.path(of: path),
                            exists ? "cannot create group: the name exists already" : "cannot create group", stack: stack)
        }
        return Group(handle: .group(gid), fileHandle: fileHandle, filePath: filePath, name: self.path(of: path))
    }

    /// Opens the existing group at `path`.
    public func openGroup(_ path: String) throws -> Group {
        try requireKind(path, .group)
        let gid = H5Gopen2(id, path, nd_H5P_DEFAULT())
        guard gid >= 0 else { throw error(.failed, self.path(of: path), "cannot open group") }
        return Group(handle: .group(gid), fileHandle: fileHandle, filePath: filePath, name: self.path(of: path))
    }

    /// Opens the group at `path`, creating it (and intermediates) if missing.
    public func requireGroup(_ path: String) throws -> Group {
        try exists(path) ? openGroup(path) : createGroup(path)
    }

    /// Whether `path` names an existing object (every component checked, as h5py does;
    /// a dangling soft or external link counts as missing).
    public func exists(_ path: String) throws -> Bool {
        try ensureOpen()
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        if parts.isEmpty { return true }
        var current = path.hasPrefix("/") ? "/" : ""
        for part in parts {
            current += (current.isEmpty || current == "/") ? String(part) : "/" + part
            let found = H5Lexists(id, current, nd_H5P_DEFAULT())
            if found < 0 { _ = ErrorStack.takeCurrent(); return false }
            if found == 0 { return false }
        }
        let resolves = H5Oexists_by_name(id, current, nd_H5P_DEFAULT())
        if resolves < 0 { _ = ErrorStack.takeCurrent() }
        return resolves > 0
    }

    /// Member names in this group, sorted by name (HDF5's name index).
    public func memberNames() throws -> [String] {
        try ensureOpen()
        final class Names { var items: [String] = [] }
        let names = Names()
        let status = withExtendedLifetime(names) {
            H5Literate(id, H5_INDEX_NAME, H5_ITER_INC, nil, { _, name, _, data in
                guard let name, let data else { return 0 }
                Unmanaged<Names>.fromOpaque(data).takeUnretainedValue().items.append(String(cString: name))
                return 0
            }, Unmanaged.passUnretained(names).toOpaque())
        }
        guard status >= 0 else { throw error(.failed, nil, "cannot list the members") }
        return names.items
    }

    /// Members with what each one is. External links are reported, not followed.
    public func members() throws -> [(name: String, kind: MemberKind)] {
        try memberNames().map { (name: $0, kind: try kind(of: $0) ?? .unresolvedLink) }
    }

    /// What the member at `path` is (nil if nothing is there). External links are
    /// reported as such (not followed); soft links report their target's kind.
    public func kind(of path: String) throws -> MemberKind? {
        try ensureOpen()
        let isSelf = path.isEmpty || path == "." || path == "/"
        if !isSelf {
            // H5Lexists fails (rather than returning 0) when an intermediate group is missing.
            guard H5Lexists(id, path, nd_H5P_DEFAULT()) > 0 else { _ = ErrorStack.takeCurrent(); return nil }
            var link = H5L_info_t()
            guard H5Lget_info(id, path, &link, nd_H5P_DEFAULT()) >= 0 else { _ = ErrorStack.takeCurrent(); return nil }
            if link.type == H5L_TYPE_EXTERNAL { return try externalLinkTarget(path) }
        }
        var object = H5O_info_t()
        guard H5Oget_info_by_name2(id, isSelf ? path.isEmpty ? "." : path : path, &object,
                                   UInt32(H5O_INFO_BASIC), nd_H5P_DEFAULT()) >= 0 else {
            _ = ErrorStack.takeCurrent()  // a dangling soft link
            return .unresolvedLink
        }
        switch object.type {
        case H5O_TYPE_GROUP: return .group
        case H5O_TYPE_DATASET: return .dataset
        case H5O_TYPE_NAMED_DATATYPE: return .namedDatatype
        default: return .unresolvedLink
        }
    }

    /// Throws a clear error unless `path` exists and is of `kind`.
    func requireKind(_ path: String, _ kind: MemberKind) throws {
        try ensureOpen()
        let full = self.path(of: path)
        guard try exists(path) else {
            throw HDF5Error(.objectNotFound, file: filePath, object: full, "no \(kind) named '\(full)' in the file")
        }
        var oinfo = H5O_info_t()
        guard H5Oget_info_by_name2(id, path, &oinfo, UInt32(H5O_INFO_BASIC), nd_H5P_DEFAULT()) >= 0 else {
            throw error(.failed, full, "cannot inspect the object")
        }
        let actual: MemberKind = oinfo.type == H5O_TYPE_GROUP ? .group : oinfo.type == H5O_TYPE_DATASET ? .dataset : .namedDatatype
        guard actual == kind else {
            throw HDF5Error(.wrongKind, file: filePath, object: full, "expected a \(kind) but found a \(actual)")
        }
    }

    /// Deletes the link `path` (the space is not reclaimed, as in HDF5 generally).
    public func delete(_ path: String) throws {
        try ensureOpen()
        guard H5Ldelete(id, path, nd_H5P_DEFAULT()) >= 0 else {
            throw error(.objectNotFound, self.path(of: path), "cannot delete the link")
        }
    }
}

/// What a group member is.
public enum MemberKind: Equatable, Sendable, CustomStringConvertible {
    case group
    case dataset
    case namedDatatype
    /// An external link to `path` inside `file` (not followed).
    case externalLink(file: String, path: String)
    /// A soft link whose target does not exist.
    case unresolvedLink

    public var description: String {
        switch self {
        case .group: return "group"
        case .dataset: return "dataset"
        case .namedDatatype: return "named datatype"
        case .externalLink(let file, let path): return "external link to \(file):\(path)"
        case .unresolvedLink: return "unresolved link"
        }
    }
}
