/// A file whose full checksum is published: the datasets NAS-Bench-201 trains on
/// and the four official split files.
public struct KnownFile: Sendable, Equatable {
    /// File name (last path component) as distributed.
    public let name: String
    /// The folder it lives in after extraction (`cifar-10-batches-py`), or nil when
    /// the name alone is distinctive (tarballs, split files).
    public let folder: String?
    /// Exact size in bytes, or nil when no public source states it.
    public let size: Int64?
    public let md5: String
    public let sha256: String?
    /// What the file is, for the report's "kind" column.
    public let kind: String
    /// Where the reference values come from.
    public let source: String
}

/// The known-checksum table (`NAS-BENCH-201.md` §1, `nb201-splits/README.md`).
///
/// Sizes: CIFAR tarballs per the brief; CIFAR-10 extracted batches from two
/// independent public directory listings of `cifar-10-batches-py/` (they agree);
/// split files from the splits README. CIFAR-100's extracted files and the 11
/// ImageNet16 batches have no published size: they match by name and folder,
/// and their rule says "size unknown".
public enum KnownFiles {
    static let torchvision = "torchvision CIFAR10/CIFAR100 md5"
    static let xautodl = "xautodl DownsampledImageNet md5"
    static let splits = "nb201-splits README (copies of AutoDL-Projects configs/nas-benchmark)"

    public static let table: [KnownFile] = [
        KnownFile(name: "cifar-10-python.tar.gz", folder: nil, size: 170_498_071,
                  md5: "c58f30108f718f92721af3b95e74349a", sha256: nil, kind: "CIFAR-10 archive", source: torchvision),
        KnownFile(name: "cifar-100-python.tar.gz", folder: nil, size: 169_001_437,
                  md5: "eb9058c3a382ffc7106e4002c42a8d85", sha256: nil, kind: "CIFAR-100 archive", source: torchvision),

        cifar10("data_batch_1", 31_035_704, "c99cafc152244af753f735de768cd75f"),
        cifar10("data_batch_2", 31_035_320, "d4bba439e000b95fd0a9bffe97cbabec"),
        cifar10("data_batch_3", 31_035_999, "54ebc095f3ab1f0389bbae665268c751"),
        cifar10("data_batch_4", 31_035_696, "634d18415352ddfa80567beed471001a"),
        cifar10("data_batch_5", 31_035_623, "482c414d41f54cd18b22e5b47cb7c3cb"),
        cifar10("test_batch", 31_035_526, "40351d587109b95175f43aff81a1287e"),
        cifar10("batches.meta", 158, "5ff9c542aee3614f3951f8cda6e48888"),

        cifar100("train", "16019d7e3df5f24257cddd939b257f8d"),
        cifar100("test", "f0ef6b0ae62326f3e7ffdfab6717acfc"),
        cifar100("meta", "7973b15100ade9c7d40fb424638fde48"),

        imagenet16("train_data_batch_1", "27846dcaa50de8e21a7d1a35f30f0e91"),
        imagenet16("train_data_batch_2", "c7254a054e0e795c69120a5727050e3f"),
        imagenet16("train_data_batch_3", "4333d3df2e5ffb114b05d2ffc19b1e87"),
        imagenet16("train_data_batch_4", "1620cdf193304f4a92677b695d70d10f"),
        imagenet16("train_data_batch_5", "348b3c2fdbb3940c4e9e834affd3b18d"),
        imagenet16("train_data_batch_6", "6e765307c242a1b3d7d5ef9139b48945"),
        imagenet16("train_data_batch_7", "564926d8cbf8fc4818ba23d2faac7564"),
        imagenet16("train_data_batch_8", "f4755871f718ccb653440b9dd0ebac66"),
        imagenet16("train_data_batch_9", "bb6dd660c38c58552125b1a92f86b5d4"),
        imagenet16("train_data_batch_10", "8f03f34ac4b42271a294f91bf480f29b"),
        imagenet16("val_data", "3410e3017fdaefba8d5073aaa65e4bd6"),

        split("cifar-split.txt", 438_970, "2da7627956f17981dc0b841ab8385f37",
              "986da6174822048d4c5a25ee8ebdb7e754cd5372b51c633ffd4898ace8db9e32"),
        split("cifar100-test-split.txt", 78_970, "16f51963f0ccd95cb6c08c33ca4c1665",
              "14a5e3708e790ad57f987cdbcf202f724519475d6e8b0db34d0182e73b581bba"),
        split("imagenet-16-120-test-split.txt", 46_970, "670c7749b090d2e937e20d10e811be22",
              "c0edac1d3676a9f21acea8feeb31336202d75b1a73df62aec31c6b45bb289a18"),
        split("ImageNet16-120-split.txt", 1_405_970, "106aae0b5917ef58b972ba74a5e9d164",
              "b2f3d37fbc2e2c239eb90ce12abeb6bac7a539f8d3888b4d5a136d292cddbef9"),
    ]

    /// The entry a file on disk claims to be: same name, and either the same size,
    /// the expected folder, or a name distinctive on its own. A generic name
    /// (`train`, `train_data_batch_1`, also used by ImageNet32/64) outside its
    /// folder and with a different size is not claimed, so unrelated files are
    /// not reported as corrupt.
    public static func match(name: String, parentFolder: String?, size: Int64) -> KnownFile? {
        table.first { entry in
            entry.name == name
                && (entry.folder == nil || entry.folder == parentFolder || entry.size == size)
        }
    }

    /// The known file with this MD5 (lowercase hex), to name what a mismatching
    /// file actually is (swapped or renamed files).
    public static func byMD5(_ md5: String) -> KnownFile? {
        table.first { $0.md5 == md5 }
    }

    /// Known files (other than `except`) with exactly this size.
    public static func bySize(_ size: Int64, except: KnownFile) -> [KnownFile] {
        table.filter { $0.size == size && $0 != except }
    }

    private static func cifar10(_ name: String, _ size: Int64, _ md5: String) -> KnownFile {
        KnownFile(name: name, folder: "cifar-10-batches-py", size: size, md5: md5, sha256: nil,
                  kind: "CIFAR-10 batch", source: torchvision)
    }

    private static func cifar100(_ name: String, _ md5: String) -> KnownFile {
        KnownFile(name: name, folder: "cifar-100-python", size: nil, md5: md5, sha256: nil,
                  kind: "CIFAR-100 batch", source: torchvision)
    }

    private static func imagenet16(_ name: String, _ md5: String) -> KnownFile {
        KnownFile(name: name, folder: "ImageNet16", size: nil, md5: md5, sha256: nil,
                  kind: "ImageNet16 batch", source: xautodl)
    }

    private static func split(_ name: String, _ size: Int64, _ md5: String, _ sha256: String) -> KnownFile {
        KnownFile(name: name, folder: nil, size: size, md5: md5, sha256: sha256,
                  kind: "NB201 split file", source: splits)
    }
}
