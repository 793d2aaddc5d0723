import HDF5

/// The HDF5 layout every nasdata image data set uses (schema `nb201-dataset` v1,
/// Schemas/nb201-dataset.v1.json): CIFAR-10, CIFAR-100 and ImageNet16-120 alike.
///
///     /                         nasdata_schema = "nb201-dataset", nasdata_schema_version = 1
///     /<dataset>/               one group per NB201 data set: cifar10-valid, cifar10,
///                               cifar100, ImageNet16-120
///         @num_classes, @image_shape [H, W, 3], @mean [3], @std [3], @normalization, @source
///         class_names           string [num_classes]
///         /<set>/               train, x-valid, x-test, ori-test (those that exist)
///             @count, @digest, @digest_algorithm, @source, @chunk_images (B)
///             images            uint8 [N, H, W, 3] (HWC, RGB), chunks [B, H, W, 3]
///             labels            int64 [N], 0-based class
///             indices           int64 [N], each image's index in its original file/set
///
/// `mean`/`std` are per channel (R, G, B) on the 0..1 scale: a model input is
/// `(pixel / 255 - mean) / std`, which is what NAS-Bench-201's transforms did.
/// The first axis of every set dataset is extensible, so writers may append.
public enum ImageSetLayout {
    public static let schemaName = "nb201-dataset"
    public static let schemaVersion: Int64 = 1
    /// Images per chunk unless a writer asks otherwise: one chunk = one batch of 256.
    public static let defaultChunkImages = 256
    public static let normalizationText = "input = (pixel / 255 - mean) / std, per RGB channel"

    /// Evaluation sets in NAS-Bench-201's order.
    public static let setNames = ["train", "x-valid", "x-test", "ori-test"]

    /// Writes the root attributes that identify the file's schema.
    public static func markRoot(_ file: File, creator: String = "nasdata") throws {
        try file.setAttribute("nasdata_schema", .string(schemaName))
        try file.setAttribute("nasdata_schema_version", .int(schemaVersion))
        try file.setAttribute("created_by", .string(creator))
    }

    /// Creates the group of one NB201 data set with its attributes and class names.
    @discardableResult
    public static func createDataset(in file: File, _ info: ImageDatasetInfo) throws -> Group {
        let group = try file.createGroup(info.name)
        try group.setAttribute("num_classes", .int(Int64(info.numClasses)))
        try group.setAttribute("image_shape", .ints([Int64(info.height), Int64(info.width), 3]))
        try group.setAttribute("mean", .doubles(info.mean))
        try group.setAttribute("std", .doubles(info.std))
        try group.setAttribute("normalization", .string(normalizationText))
        try group.setAttribute("source", .string(info.source))
        if !info.classNames.isEmpty { try writeClassNames(info.classNames, to: group) }
        return group
    }

    /// Writes `class_names` (for builders that learn the names after creating the group).
    public static func writeClassNames(_ names: [String], to group: Group) throws {
        let declared = (try group.attribute("num_classes"))?.intValue
        guard declared == nil || declared == Int64(names.count) else {
            throw HDF5Error(.shapeMismatch, file: group.filePath, object: group.name,
                            "\(names.count) class names for num_classes = \(declared!)")
        }
        try group.createStringDataset("class_names", names)
    }
}

/// What describes one NB201 data set (the group above its evaluation sets).
public struct ImageDatasetInfo: Sendable, Equatable {
    /// The group name, as NAS-Bench-201 names the data set (`cifar10-valid`).
    public var name: String
    /// May be empty at creation; then write them later with `writeClassNames`.
    public var classNames: [String]
    public var numClasses: Int
    public var height: Int
    public var width: Int
    /// Per-channel mean and standard deviation on the 0..1 scale.
    public var mean: [Double]
    public var std: [Double]
    /// Free text: where the images came from.
    public var source: String

    public init(name: String, classNames: [String], numClasses: Int? = nil, height: Int, width: Int,
                mean: [Double], std: [Double], source: String) {
        self.name = name
        self.classNames = classNames
        self.numClasses = numClasses ?? classNames.count
        self.height = height
        self.width = width
        self.mean = mean
        self.std = std
        self.source = source
    }
}

/// NAS-Bench-201's normalisation constants (NAS-BENCH-201.md §7), given there on the
/// 0..255 scale and stored divided by 255.
public enum NB201Normalization {
    public static let cifar10 = (mean: [125.3, 123.0, 113.9].map { $0 / 255 }, std: [63.0, 62.1, 66.7].map { $0 / 255 })
    public static let cifar100 = (mean: [129.3, 124.1, 112.4].map { $0 / 255 }, std: [68.2, 65.4, 70.4].map { $0 / 255 })
    public static let imageNet16 = (mean: [122.68, 116.66, 104.01].map { $0 / 255 }, std: [63.22, 61.26, 65.09].map { $0 / 255 })
}
