import CHDF5
#if canImport(Glibc)
import Glibc
#endif

/// Files that survive a kill: created with file-space strategy NONE (h5py's
/// `fs_strategy="none"`), trimmed to and fenced at HDF5's end of allocation (h5py's
/// `FileID.get_eoa`). The weight archive writes through these.
///
/// Why: by default HDF5 reuses space freed during a session (a table chunk
/// rewritten bigger frees its old place). After a kill, the last durable
/// metadata may still point at such a place, now overwritten: the kill test saw
/// `inflate() failed` on resume. With strategy NONE every allocation comes from
/// the end of the file, so nothing the last durable point references is ever
/// overwritten. This stores superblock version 2 (readable by HDF5 >= 1.10 and
/// every current h5py; no SWMR status flags, so no `h5clear` after a crash).
public enum CrashSafeFile {
    public static func create(_ path: String) throws {
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
    public static func trimToAllocatedSize(_ path: String) throws {
        HDF5Library.prepareThread()
        let fid = H5Fopen(path, nd_H5F_ACC_RDONLY(), nd_H5P_DEFAULT())
        guard fid >= 0 else { throw HDF5Error(.failed, file: path, "cannot reopen to trim the reserved space") }
        var eoa: haddr_t = 0
        let status = H5Fget_eoa(fid, &eoa)
        H5Fclose(fid)
        guard status >= 0, eoa > 0 else { throw HDF5Error(.failed, file: path, "cannot read the end of allocation") }
        guard truncate(path, off_t(eoa)) == 0 else {
            throw HDF5Error(.writeFailed, file: path, "cannot give back reserved space: \(String(cString: strerror(errno)))")
        }
    }

    /// Makes HDF5 allocate new space only past the current end of the file.
    ///
    /// After a kill, the superblock's end-of-allocation (EOA) is the one of the last
    /// flush, but metadata evicted from HDF5's cache after it may already point at
    /// chunks written past it (a table's rewritten tail chunk, holding durable rows
    /// too). HDF5 would hand out that space again on resume and overwrite them; the
    /// kill loop saw `unable to read raw data chunk`. An anonymous dataset allocated
    /// early over the gap [EOA, EOF) moves EOA to the end of the file; it is dropped
    /// at once, and with strategy NONE its space is never reused. Nothing linked
    /// changes, so a kill during this step cannot hurt either.
    public static func fenceUnallocatedTail(_ path: String) throws {
        HDF5Library.prepareThread()
        var st = stat()
        guard stat(path, &st) == 0 else { throw HDF5Error(.failed, file: path, "cannot stat: \(String(cString: strerror(errno)))") }
        let fid = H5Fopen(path, nd_H5F_ACC_RDWR(), nd_H5P_DEFAULT())
        guard fid >= 0 else { throw HDF5Error(.failed, file: path, "cannot open to fence the unallocated tail") }
        defer { H5Fclose(fid) }
        var eoa: haddr_t = 0
        guard H5Fget_eoa(fid, &eoa) >= 0 else { throw HDF5Error(.failed, file: path, "cannot read the end of allocation") }
        let gap = Int64(st.st_size) - Int64(eoa)
        guard gap > 0 else { return }
        let dcpl = H5Pcreate(nd_H5P_DATASET_CREATE())
        defer { H5Pclose(dcpl) }
        H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY)
        var dims = [hsize_t(gap)]
        let space = H5Screate_simple(1, &dims, nil)
        defer { H5Sclose(space) }
        let did = H5Dcreate_anon(fid, nd_H5T_NATIVE_UINT8(), space, dcpl, nd_H5P_DEFAULT())
        guard did >= 0 else { throw HDF5Error(.failed, file: path, "cannot allocate the \(gap)-byte fence") }
        H5Dclose(did)
    }
}
