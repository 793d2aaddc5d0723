import CHDF5
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Process-wide facts about libhdf5 and the per-thread set-up every entry point runs.
///
/// Thread safety: Debian's libhdf5 is the thread-safe build, which serialises every
/// API call behind one global lock. Objects of this module may therefore be used
/// from several threads, but HDF5 work never runs in parallel: to use both cores,
/// do the expensive part (compressing chunks, see `ChunkEncoder`) on your own
/// threads and hand finished chunks to `Dataset.writeRawChunk` from any thread.
///
/// HDF5's error reporting is per thread, and by default it prints the whole error
/// stack to stderr. `HDF5Library.prepareThread()` turns that off for the calling
/// thread; every public entry point of this module calls it first, so no thread
/// that goes through this module ever prints, and errors arrive as `HDF5Error`.
public enum HDF5Library {
    /// The libhdf5 version this process runs with, e.g. "1.10.8".
    public static var version: String {
        prepareThread()
        var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
        H5get_libversion(&major, &minor, &release)
        return "\(major).\(minor).\(release)"
    }

    /// Whether the library is the thread-safe build (one global lock).
    public static var isThreadSafe: Bool {
        prepareThread()
        var safe: hbool_t = false
        H5is_library_threadsafe(&safe)
        return safe
    }

    /// Silences HDF5's automatic error printing on the calling thread. Cheap after
    /// the first call on a thread (one thread-local read).
    @inline(__always)
    public static func prepareThread() {
        if pthread_getspecific(silencedKey) == nil { silenceThisThread() }
    }

    private static func silenceThisThread() {
        H5Eset_auto2(nd_H5E_DEFAULT(), nil, nil)
        pthread_setspecific(silencedKey, UnsafeRawPointer(bitPattern: 1))
    }
}

/// Thread-local marker: non-nil once the thread's HDF5 error printing is off.
private let silencedKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()
