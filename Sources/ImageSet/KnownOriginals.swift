import Checksums
import NASDataIO

/// Published checksums of the CIFAR originals and the official split files that
/// `build-cifar` checks its inputs against (NAS-BENCH-201.md §1 and the splits README).
///
/// A mismatch is an error unless the user passes `--allow-unverified` for a variant of
/// their own. This is the one place the digests are written down: Verify's `KnownFiles`
/// (what `nasdata verify` reports, with sizes and sources) takes them from here, since
/// Verify depends on NASDatasets and not the other way round.
public enum KnownOriginals {
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let md5: String
        public let sha256: String?
    }

    public static let cifar10Archive = Entry(name: "cifar-10-python.tar.gz", md5: "c58f30108f718f92721af3b95e74349a", sha256: nil)
    public static let cifar100Archive = Entry(name: "cifar-100-python.tar.gz", md5: "eb9058c3a382ffc7106e4002c42a8d85", sha256: nil)

    /// Members of the extracted python folders, by file name.
    public static let cifar10Batches: [String: String] = [
        "data_batch_1": "c99cafc152244af753f735de768cd75f",
        "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
        "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
        "data_batch_4": "634d18415352ddfa80567beed471001a",
        "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
        "test_batch": "40351d587109b95175f43aff81a1287e",
        "batches.meta": "5ff9c542aee3614f3951f8cda6e48888",
    ]
    public static let cifar100Files: [String: String] = [
        "train": "16019d7e3df5f24257cddd939b257f8d",
        "test": "f0ef6b0ae62326f3e7ffdfab6717acfc",
        "meta": "7973b15100ade9c7d40fb424638fde48",
    ]

    /// Downsampled ImageNet 16x16 (`ImageNet16/`), as xautodl's `ImageNet16` checks them.
    public static let imageNet16Batches: [String: String] = [
        "train_data_batch_1": "27846dcaa50de8e21a7d1a35f30f0e91", "train_data_batch_2": "c7254a054e0e795c69120a5727050e3f",
        "train_data_batch_3": "4333d3df2e5ffb114b05d2ffc19b1e87", "train_data_batch_4": "1620cdf193304f4a92677b695d70d10f",
        "train_data_batch_5": "348b3c2fdbb3940c4e9e834affd3b18d", "train_data_batch_6": "6e765307c242a1b3d7d5ef9139b48945",
        "train_data_batch_7": "564926d8cbf8fc4818ba23d2faac7564", "train_data_batch_8": "f4755871f718ccb653440b9dd0ebac66",
        "train_data_batch_9": "bb6dd660c38c58552125b1a92f86b5d4", "train_data_batch_10": "8f03f34ac4b42271a294f91bf480f29b",
        "val_data": "3410e3017fdaefba8d5073aaa65e4bd6",
    ]

    public static let splitFiles: [String: Entry] = [
        "cifar-split.txt": Entry(name: "cifar-split.txt", md5: "2da7627956f17981dc0b841ab8385f37",
                                 sha256: "986da6174822048d4c5a25ee8ebdb7e754cd5372b51c633ffd4898ace8db9e32"),
        "cifar100-test-split.txt": Entry(name: "cifar100-test-split.txt", md5: "16f51963f0ccd95cb6c08c33ca4c1665",
                                         sha256: "14a5e3708e790ad57f987cdbcf202f724519475d6e8b0db34d0182e73b581bba"),
        "imagenet-16-120-test-split.txt": Entry(name: "imagenet-16-120-test-split.txt", md5: "670c7749b090d2e937e20d10e811be22",
                                                sha256: "c0edac1d3676a9f21acea8feeb31336202d75b1a73df62aec31c6b45bb289a18"),
        "ImageNet16-120-split.txt": Entry(name: "ImageNet16-120-split.txt", md5: "106aae0b5917ef58b972ba74a5e9d164",
                                          sha256: "b2f3d37fbc2e2c239eb90ce12abeb6bac7a539f8d3888b4d5a136d292cddbef9"),
    ]
}

/// A file whose checksum did not match the published one.
public struct ChecksumMismatch: Error, CustomStringConvertible {
    public let path: String
    public let algorithm: String
    public let expected: String
    public let actual: String

    public init(path: String, algorithm: String, expected: String, actual: String) {
        self.path = path; self.algorithm = algorithm; self.expected = expected; self.actual = actual
    }

    public var description: String {
        "\(path): \(algorithm) is \(actual), but the published original's is \(expected); "
            + "the file is corrupt or not the original (pass --allow-unverified to build from your own variant)"
    }
}

/// Hashes every byte that passes through, for checking a stream against a known
/// digest without reading it twice.
public final class HashingStream: ByteStream {
    private let inner: ByteStream
    private let hasher: EVPHasher
    public var path: String { inner.path }
    public var offset: Int64 { inner.offset }

    public init(_ inner: ByteStream, md5: Bool = true) {
        self.inner = inner
        self.hasher = md5 ? MD5() : SHA256()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try inner.read(into: buffer)
        hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        return n
    }

    public func skip(_ count: Int64) throws { try discard(count) }

    /// The digest of everything read so far (call once, at the end).
    public func finalize() -> String { hasher.finalize().hex }
}
