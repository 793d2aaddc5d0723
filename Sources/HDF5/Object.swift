import CHDF5

/// Anything with a name in an HDF5 file that can carry attributes: `Group` (and
/// `File`, the root group) and `Dataset`.
///
/// Every object keeps its file's handle alive, so a dataset stays usable after the
/// `File` value that opened it is gone; `File.close()` closes everything at once.
/// Instances may be shared between threads: libhdf5 serialises all calls (see
/// `HDF5Library`).
public class Object: @unchecked Sendable {
    let handle: Handle
    let fileHandle: Handle
    /// The path of the HDF5 file on disk.
    public let filePath: String
    /// The absolute path of this object inside the file ("/" for the root group).
    public let name: String

    init(handle: Handle, fileHandle: Handle, filePath: String, name: String) {
        self.handle = handle
        self.fileHandle = fileHandle
        self.filePath = filePath
        self.name = name
    }

    var id: hid_t { handle.id }

    /// Whether the object is still open (false after its file was closed).
    public var isOpen: Bool { handle.isOpen }

    /// The absolute in-file path of `relative` seen from this object.
    func path(of relative: String) -> String {
        if relative.hasPrefix("/") { return relative }
        return name == "/" ? "/" + relative : name + "/" + relative
    }

    func error(_ kind: HDF5Error.Kind = .failed, _ object: String? = nil, _ message: String) -> HDF5Error {
        HDF5Error.fromLibrary(kind, file: filePath, object: object ?? name, message)
    }

    func ensureOpen() throws {
        HDF5Library.prepareThread()
        guard handle.isOpen else { throw HDF5Error(.failed, file: filePath, object: name, "object is closed") }
    }
}
