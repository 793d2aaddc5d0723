import HDF5
import ImageSet

extension ImageSetWriter: ImageRecordSink {}

/// ImageNet16 in the `nb201-dataset` layout (Schemas/nb201-dataset.v1.json), shared with
/// CIFAR: a group `ImageNet16-120` (or `ImageNet16-<classes>`) with the sets `train`,
/// `ori-test` (the validation images) and, given the official split, `x-valid` / `x-test`;
/// labels 0..<classes (CLS-LOC label - 1); `class_names` and `wnids` in label order.
///
/// A shard file (`--shard K/N`) has the same layout with `train` and `ori-test` of its
/// label range and the attributes `shard` ("K/N", K from 0) and `shard_labels` ([first, last],
/// 1-based) on the data set group; merging concatenates shards in label order.
public enum ImageNet16Layout {
    public static func datasetName(classes: Int) -> String { "ImageNet16-\(classes)" }

    public static func createDataset(in file: File, classes: [ILSVRCClassMap.Entry], size: Int, source: String,
                                     shard: (k: Int, n: Int, labels: ClosedRange<Int>)? = nil) throws -> Group {
        let norm = NB201Normalization.imageNet16
        let group = try ImageSetLayout.createDataset(in: file, ImageDatasetInfo(
            name: datasetName(classes: classes.count), classNames: classes.map(\.name), height: size, width: size,
            mean: norm.mean, std: norm.std, source: source))
        try group.createStringDataset("wnids", classes.map(\.wnid))
        if let shard {
            try group.setAttribute("shard", .string("\(shard.k)/\(shard.n)"))
            try group.setAttribute("shard_labels", .ints([Int64(shard.labels.lowerBound), Int64(shard.labels.upperBound)]))
        }
        return group
    }

    /// Creates a set writer for records appended in order.
    public static func writer(_ group: Group, _ name: String, size: Int, source: String) throws -> ImageSetWriter {
        try ImageSetWriter(dataset: group, name: name, height: size, width: size, source: source)
    }

    /// The sources written into each set's `source` attribute.
    public static func setSource(_ set: String, from origin: String) -> String {
        switch set {
        case "train": return "\(origin) training images of the kept classes"
        case "ori-test": return "\(origin) validation images of the kept classes"
        case "x-valid": return "ori-test[imagenet-16-120-test-split.txt:xvalid]"
        case "x-test": return "ori-test[imagenet-16-120-test-split.txt:xtest]"
        default: return origin
        }
    }
}
