import Checksums
import NASBench
import NASDataIO
import ImageSet
import NASCore

/// The NAS-Bench-201 splits of CIFAR: from the official files, or regenerated.
public enum CIFARSplits {
    public static let cifar10File = "cifar-split.txt"
    public static let cifar100File = "cifar100-test-split.txt"

    /// `cifar-split.txt` as upstream made it (exps/NAS-Bench-201/main.py): indices
    /// 0..<count shuffled by CPython's `random.seed(1021); random.shuffle(...)`,
    /// `train` = sorted first half, `valid` = sorted second half. With count 50,000 this
    /// is byte for byte the official file.
    public static func regenerateCIFAR10(count: Int = 50_000) -> SplitFile {
        var indices = Array(0..<count)
        var random = PythonRandom(seed: 1021)
        random.shuffle(&indices)
        let half = count / 2
        return SplitFile(lists: [("train", indices[..<half].sorted()), ("valid", indices[half...].sorted())])
    }

    /// A split loaded for a build, with where it came from.
    public struct Loaded: Sendable {
        public let split: SplitFile
        /// `cifar-split.txt (official, sha256 verified)`, `regenerated (seed 1021)`, ...
        public let provenance: String
        public let verified: Bool
    }

    /// Reads `name` from `directory`, checks its SHA-256 against the official file's
    /// (mismatch: error unless `allowUnverified`) and its keys.
    public static func load(directory: String, name: String, keys: [String], allowUnverified: Bool) throws -> Loaded {
        let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
        let stream = try FileByteStream(path: path)
        let bytes = try stream.readToEnd(limit: SplitFile.maxFileSize)
        let sha = SHA256.hash(bytes).hex
        var verified = false
        if let known = KnownOriginals.splitFiles[name]?.sha256 {
            if sha == known {
                verified = true
            } else if !allowUnverified {
                throw ChecksumMismatch(path: path, algorithm: "SHA-256", expected: known, actual: sha)
            }
        }
        let split = try SplitFile.parse(bytes, path: path)
        guard split.lists.map(\.key) == keys else {
            throw IOError.malformed(path: path, offset: nil,
                                    reason: "keys are \(split.lists.map(\.key)), expected \(keys) for \(name)")
        }
        return Loaded(split: split, provenance: "\(path) (\(verified ? "official, sha256 verified" : "unverified: not the official file"))", verified: verified)
    }
}
