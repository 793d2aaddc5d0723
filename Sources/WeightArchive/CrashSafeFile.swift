import CHDF5
import HDF5
#if canImport(Glibc)
import Glibc
#endif

/// Creates the HDF5 file an archive lives in, with the one creation property the
/// `HDF5` module does not expose: file-space strategy NONE.
///
/// Why: by default HDF5 reuses space freed during a session (a table chunk
/// rewritten bigger frees its old place). After a kill, the last durable
/// metadata may still point at such a place, now overwritten: the kill test saw
/// `inflate() failed` on resume. With strategy NONE every allocation comes from
/// the end of the file, so nothing the last durable point references is ever
/// overwritten. This stores superblock version 2 (readable by HDF5 >= 1.10 and
/// every current h5py; no SWMR status flags, so no `h5clear` after a crash).
enum CrashSafeFile {
    static func create(_ path: String) throws {
        HDF5Library.prepareThread()
        let fcpl = H5Pcreate(nd_H5P_FILE_CREATE())
        guard fcpl >= 0 else { throw HDF5Error(.failed, file: path, "cannot create a file-creation property list") }
        defer { H5Pclose(fcpl) }
        guard H5Pset_file_space_strategy(fcpl, H5F_FSPACE_STRATEGY_NONE, false, 1) >= 0 else {
            throw HDF5Error(.failed, file: path, "cannot set the file-space strategy")
        }
        let fid = H5Fcreate(path, nd_H5F_ACC_EXCL(), fcpl, nd_H5P_DEFAULT())
        guard fid >= 0 else { throw HDF5Error(.failed, file: path, "cannot create the archive file") }
        guard H5Fclose(fid) >= 0 else { throw HDF5Error(.failed, file: path, "cannot close the new archive file") }
    }

    /// Cuts the disk space reserved ahead (see `SpaceReservation`) off a closed file:
    /// truncates it to HDF5's end-of-allocation.
    static func trimToAllocatedSize(_ path: String) throws {
        HDF5Library.prepareThread()
        let fid = H5Fopen(path, nd_H5F_ACC_RDONLY(), nd_H5P_DEFAULT())
        guard fid >= 0 else { throw HDF5Error(.failed, file: path, "cannot reopen to trim the reserved space") }
        var eoa: haddr_t = 0
        let status = H5Fget_eoa(fid, &eoa)
        H5Fclose(fid)
        guard status >= 0, eoa > 0 else { throw HDF5Error(.failed, file: path, "cannot read the end of allocation") }
        guard truncate(path, off_t(eoa)) == 0 else {
            throw HDF5Error(.failed, file: path, "cannot give back reserved space: \(String(cString: strerror(errno)))")
        }
    }
}
