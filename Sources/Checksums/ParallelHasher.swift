import Foundation
import NASDataIO
import Concurrency

/// Hashes many files across a bounded number of threads, one reused buffer a thread.
public enum ParallelHasher {
    /// Returns one result per path, in the order of `paths`. A file that cannot be
    /// read yields `.failure` (an `IOError` naming it); the others still complete.
    /// `progress` receives byte counts from every worker (it must be thread-safe,
    /// as `NASDataIO.Progress.advance` is).
    public static func hash(paths: [String], algorithms: Set<HashAlgorithm> = [.md5, .sha256],
                            jobs: Int = BoundedParallel.defaultJobs,
                            progress: (@Sendable (Int64) -> Void)? = nil) -> [Result<FileDigests, Error>] {
        BoundedParallel.map(count: paths.count, jobs: jobs, makeState: { FileHasher() }) { hasher, i in
            Result { try hasher.hash(path: paths[i], algorithms: algorithms, progress: progress) }
        }
    }
}
