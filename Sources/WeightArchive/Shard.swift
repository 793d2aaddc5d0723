/// `--shard K/N`: this process packs the architectures with `index % N == K`
/// (K counts from 0, so a Slurm array `--array=0-(N-1)` passes its task id).
/// Selection by architecture index keeps every run of one FULL file together
/// and does not depend on input order, so shards are disjoint and complete.
public struct Shard: Equatable, Sendable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public static let all = Shard(index: 0, count: 1)

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses "K/N" with 0 <= K < N.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, k >= 0, k < n else {
            throw ArchiveError.invalidArgument("--shard wants K/N with 0 <= K < N (got \"\(text)\")")
        }
        self.init(index: k, count: n)
    }

    public func contains(archIndex: Int) -> Bool { archIndex % count == index }

    public var description: String { "\(index)/\(count)" }
}
