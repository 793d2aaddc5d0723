import CHDF5
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HDF5 file, which is also its root group (as in h5py).
///
///     let f = try File.create("out.h5")
///     try f.createDataset("x", dtype: .float32, shape: [10, 3]).write(values)
///     try f.close()
///
/// Files are written with HDF5's default (oldest compatible) format unless
/// `.swmr` is asked for, so that HDF5 1.8+ and every h5py can read them.
public final class File: Group, @unchecked Sendable {
    public enum Mode: Sendable { case readOnly, readWrite, swmrRead }

    /// The on-disk format bounds. `.compatible` is HDF5's default and readable by
    /// every HDF5 >= 1.8; `.swmr` uses the newest 1.10 format, which SWMR writing
    /// needs (readers then need HDF5 >= 1.10).
    public enum Format: Sendable { case compatible, swmr }

    /// Creates (truncating, unless `overwrite` is false) the file at `path`.
    public static func create(_ path: String, overwrite: Bool = true, format: Format = .compatible) throws -> File {
        HDF5Library.prepareThread()
        let fapl = try PropertyLists.fileAccess(format, file: path)
        let flags = overwrite ? nd_H5F_ACC_TRUNC() : nd_H5F_ACC_EXCL()
        let fid = H5Fcreate(path, flags, nd_H5P_DEFAULT(), fapl.id)
        guard fid >= 0 else {
            if !overwrite && access(path, F_OK) == 0 {
                _ = ErrorStack.takeCurrent()
                throw HDF5Error(.writeFailed, file: path, "cannot create: the file exists already")
            }
            throw HDF5Error.fromLibrary(.writeFailed, file: path, "cannot create the HDF5 file")
        }
        return File(fid, path: path)
    }

    /// Opens an existing file. A missing file, a file that is not HDF5 and a
    /// truncated HDF5 file each give their own `HDF5Error.Kind`.
    public static func open(_ path: String, mode: Mode = .readOnly) throws -> File {
        HDF5Library.prepareThread()
        if access(path, F_OK) != 0 {
            throw HDF5Error(.fileNotFound, file: path, "cannot open: \(String(cString: strerror(errno)))")
        }
        if access(path, mode == .readWrite ? R_OK | W_OK : R_OK) != 0 {
            throw HDF5Error(.failed, file: path, "cannot open: \(String(cString: strerror(errno)))")
        }
        let isHDF5 = H5Fis_hdf5(path)
        if isHDF5 == 0 {
            throw HDF5Error(.notHDF5, file: path, "not an HDF5 file (no HDF5 signature found)")
        }
        _ = ErrorStack.takeCurrent()
        let fapl = try PropertyLists.fileAccess(.compatible, file: path)
        let flags: UInt32
        switch mode {
        case .readOnly: flags = nd_H5F_ACC_RDONLY()
        case .readWrite: flags = nd_H5F_ACC_RDWR()
        case .swmrRead: flags = nd_H5F_ACC_RDONLY() | nd_H5F_ACC_SWMR_READ()
        }
        let fid = H5Fopen(path, flags, fapl.id)
        guard fid >= 0 else {
            let stack = ErrorStack.takeCurrent()
            let text = stack.joined(separator: " ").lowercased()
            if text.contains("truncated") {
                throw HDF5Error(.truncated, file: path, "truncated HDF5 file (it ends before its data does)", stack: stack)
            }
            if text.contains("file locking") || text.contains("lock") {
                throw HDF5Error(.failed, file: path, "cannot open: the file is locked by another writer (or was not closed cleanly; try h5clear -s)", stack: stack)
            }
            throw HDF5Error(.failed, file: path, "cannot open the HDF5 file", stack: stack)
        }
        return File(fid, path: path)
    }

    /// Writes a file so that it appears at `path` only when complete: `body` fills a
    /// file under a temporary name in the same directory (`.<name>.partial-<pid>`),
    /// which is then flushed, closed, fsynced and renamed to `path`. On an error
    /// the temporary file is removed and nothing appears at `path`.
    @discardableResult
    public static func writeAtomically<R>(to path: String, format: Format = .compatible,
                                          _ body: (File) throws -> R) throws -> R {
        let temp = temporaryPath(for: path)
        unlink(temp)
        do {
            let file = try File.create(temp, format: format)
            let result: R
            do { result = try body(file) } catch { file.close(); throw error }
            try file.flush()
            file.close()
            try commit(temp, to: path)
            return result
        } catch {
            unlink(temp)
            throw error
        }
    }

    init(_ fid: hid_t, path: String) {
        let handle = Handle.file(fid)
        super.init(handle: handle, fileHandle: handle, filePath: path, name: "/")
    }

    /// Writes everything buffered to disk (HDF5's global scope: this file and its mounts).
    public func flush() throws {
        try ensureOpen()
        guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else { throw error(.writeFailed, nil, "cannot flush") }
    }

    /// Closes the file and every object still open in it. Safe to call twice.
    public func close() {
        handle.close()
    }

    /// Switches a file created with `format: .swmr` to single-writer/multiple-reader
    /// mode: readers may open it with `.swmrRead` while this process appends.
    /// Create every dataset before calling this (SWMR forbids new objects).
    public func startSWMRWrite() throws {
        try ensureOpen()
        guard H5Fstart_swmr_write(id) >= 0 else {
            throw error(.failed, nil, "cannot start SWMR writing (was the file created with format .swmr?)")
        }
    }

    static func temporaryPath(for path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return ".\(path).partial-\(getpid())" }
        return String(path[...slash]) + "." + path[path.index(after: slash)...] + ".partial-\(getpid())"
    }

    /// fsync the finished temporary file, rename it into place, fsync the directory.
    private static func commit(_ temp: String, to path: String) throws {
        let fd = posixOpen(temp, O_RDONLY)
        guard fd >= 0 else { throw HDF5Error(.writeFailed, file: temp, "cannot reopen to fsync: \(String(cString: strerror(errno)))") }
        let synced = fsync(fd) == 0
        let syncErrno = errno
        posixClose(fd)
        guard synced else { throw HDF5Error(.writeFailed, file: temp, "fsync failed: \(String(cString: strerror(syncErrno)))") }
        guard rename(temp, path) == 0 else {
            throw HDF5Error(.writeFailed, file: path, "cannot rename \(temp) into place: \(String(cString: strerror(errno)))")
        }
        let dir = path.lastIndex(of: "/").map { String(path[...$0]) } ?? "."
        let dfd = posixOpen(dir, O_RDONLY)
        if dfd >= 0 { _ = fsync(dfd); posixClose(dfd) }
    }
}

// File's own `open`/`close` shadow the C functions inside the class.
private func posixOpen(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }
private func posixClose(_ fd: Int32) { _ = close(fd) }
