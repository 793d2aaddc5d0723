/// One member of a tar archive, as its header (plus any GNU long-name or pax
/// extended header before it) describes it.
public struct TarEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file
        case directory
        case symbolicLink(target: String)
        case hardLink(target: String)
        /// Character/block devices, FIFOs and other type flags, kept for listing.
        case other(typeFlag: UInt8)
    }

    /// The member's path inside the archive (long names and pax `path` applied).
    public var name: String
    /// Bytes of data the member carries (pax `size` applied; 0 for links and directories).
    public var size: Int64
    public var kind: Kind
    /// Permission bits.
    public var mode: Int
    /// Seconds since 1970 (pax `mtime` fractional part dropped).
    public var modificationTime: Int64
    /// Where this member's first header block starts in the tar stream
    /// (its GNU long-name or pax header if it has one).
    public var headerOffset: Int64
    /// Where the member's data starts in the tar stream.
    public var dataOffset: Int64

    public var isFile: Bool { kind == .file }

    /// The last path component (`cifar-10-batches-py/data_batch_1` -> `data_batch_1`).
    public var baseName: String {
        let trimmed = name.hasSuffix("/") ? String(name.dropLast()) : name
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return String(trimmed[trimmed.index(after: slash)...])
    }
}
