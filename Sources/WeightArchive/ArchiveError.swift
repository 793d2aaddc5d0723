/// What can go wrong packing or reading an archive, always naming the file.
public enum ArchiveError: Error, CustomStringConvertible, Equatable {
    /// An input member cannot be packed (corrupt, truncated, wrong name, duplicate, ...).
    case badInput(member: String, reason: String)
    /// The archive file is not a weight archive or its layout is damaged.
    case badArchive(path: String, reason: String)
    /// An archive being resumed was started with other settings.
    case resumeMismatch(path: String, reason: String)
    /// No run matches the query.
    case runNotFound(path: String, query: String)
    /// Bad command-line style argument (`--shard 3/2`, ...).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .badInput(member, reason): return "\(member): \(reason)"
        case let .badArchive(path, reason): return "\(path): \(reason)"
        case let .resumeMismatch(path, reason):
            return "\(path): cannot resume: \(reason) (delete the file to start over, or use the original options)"
        case let .runNotFound(path, query): return "\(path): no run \(query)"
        case let .invalidArgument(text): return text
        }
    }
}
