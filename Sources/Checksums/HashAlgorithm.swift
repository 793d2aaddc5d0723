/// The digests nasdata computes. Raw values are the names used in manifests,
/// `--json` output and the `md5sum`/`sha256sum` tools.
public enum HashAlgorithm: String, CaseIterable, Sendable, Codable, Comparable {
    case md5
    case sha256

    /// Digest length in bytes.
    public var byteCount: Int {
        switch self {
        case .md5: return 16
        case .sha256: return 32
        }
    }

    /// Length of the hex spelling, which is how a manifest line's algorithm is recognised.
    public var hexLength: Int { byteCount * 2 }

    public static func < (a: HashAlgorithm, b: HashAlgorithm) -> Bool { a.rawValue < b.rawValue }

    /// A fresh incremental hasher for this algorithm.
    public func makeHasher() -> IncrementalHasher {
        switch self {
        case .md5: return MD5()
        case .sha256: return SHA256()
        }
    }
}
