import ImageSet

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

    /// Digests come from `KnownOriginals` (ImageSet), the one place they are written
    /// down; this table adds what `verify` reports besides: sizes, folders, kinds, sources.
    public static let table: [KnownFile] = [
        archive(KnownOriginals.cifar10Archive, 170_498_071, "CIFAR-10 archive"),
        archive(KnownOriginals.cifar100Archive, 169_001_437, "CIFAR-100 archive"),

        cifar10("data_batch_1", 31_035_704),
        cifar10("data_batch_2", 31_035_320),
        cifar10("data_batch_3", 31_035_999),
        cifar10("data_batch_4", 31_035_696),
        cifar10("data_batch_5", 31_035_623),
        cifar10("test_batch", 31_035_526),
        cifar10("batches.meta", 158),

        cifar100("train"),
        cifar100("test"),
        cifar100("meta"),
    ] + (1...10).map { imagenet16("train_data_batch_\($0)") } + [
        imagenet16("val_data"),

        split("cifar-split.txt", 438_970),
        split("cifar100-test-split.txt", 78_970),
        split("imagenet-16-120-test-split.txt", 46_970),
        split("ImageNet16-120-split.txt", 1_405_970),
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

    private static func archive(_ entry: KnownOriginals.Entry, _ size: Int64, _ kind: String) -> KnownFile {
        KnownFile(name: entry.name, folder: nil, size: size, md5: entry.md5, sha256: entry.sha256, kind: kind, source: torchvision)
    }

    private static func cifar10(_ name: String, _ size: Int64) -> KnownFile {
        KnownFile(name: name, folder: "cifar-10-batches-py", size: size, md5: KnownOriginals.cifar10Batches[name]!, sha256: nil,
                  kind: "CIFAR-10 batch", source: torchvision)
    }

    private static func cifar100(_ name: String) -> KnownFile {
        KnownFile(name: name, folder: "cifar-100-python", size: nil, md5: KnownOriginals.cifar100Files[name]!, sha256: nil,
                  kind: "CIFAR-100 batch", source: torchvision)
    }

    private static func imagenet16(_ name: String) -> KnownFile {
        KnownFile(name: name, folder: "ImageNet16", size: nil, md5: KnownOriginals.imageNet16Batches[name]!, sha256: nil,
                  kind: "ImageNet16 batch", source: xautodl)
    }

    private static func split(_ name: String, _ size: Int64) -> KnownFile {
        let entry = KnownOriginals.splitFiles[name]!
        return KnownFile(name: name, folder: nil, size: size, md5: entry.md5, sha256: entry.sha256,
                         kind: "NB201 split file", source: splits)
    }
}
