import Foundation

/// What `nasdata build-imagenet16` is asked to do: one source, one output, and optionally
/// the pickled batch files upstream's loader reads.
public struct ImageNet16BuildRequest: Sendable {
    public enum Source: Sendable {
        /// ILSVRC2012 JPEGs (its `splits` and `allowUnverified` are replaced by the request's).
        case ilsvrc(ImageNet16ILSVRCOptions)
        /// The Downsampled-ImageNet batches (pickles, .npz or their .zip archives) in a directory.
        case downsampled(directory: String, classMap: String?, classes: Int)
        /// Shard files (from an ILSVRC build with a shard) joined into one.
        case merge(shards: [String])
    }

    public var source: Source
    /// The HDF5 file written.
    public var output: String
    /// Where `imagenet-16-120-test-split.txt` comes from (`.none`: no x-valid / x-test).
    public var splits = SplitSource.official
    /// Accept inputs whose checksum is not the published one.
    public var allowUnverified = false
    /// Also write the 11 pickled batch files (`--format autodl`) into this directory.
    public var autodlDirectory: String?

    public init(source: Source, output: String) {
        self.source = source
        self.output = output
    }

    /// Where `--format autodl` writes without `--autodl-dir`: OUTPUT without `.h5`, + `-autodl`.
    public static func defaultAutodlDirectory(for output: String) -> String {
        (output.hasSuffix(".h5") ? String(output.dropLast(3)) : output) + "-autodl"
    }
}

extension ImageNet16Build {
    /// Builds from the request's source, then writes the autodl batches if asked.
    public static func run(_ request: ImageNet16BuildRequest) throws -> ImageNet16BuildReport {
        var report: ImageNet16BuildReport
        switch request.source {
        case .ilsvrc(var options):
            options.splits = request.splits
            options.allowUnverified = request.allowUnverified
            report = try fromILSVRC(options, output: request.output)
        case let .downsampled(directory, classMap, classes):
            report = try fromDownsampled(directory: directory, output: request.output, splits: request.splits,
                                         allowUnverified: request.allowUnverified, classMap: classMap, classes: classes)
        case .merge(let shards):
            report = try merge(shards: shards, output: request.output, splits: request.splits, allowUnverified: request.allowUnverified)
        }
        if let directory = request.autodlDirectory {
            report.notes.append(try ImageNet16AutoDL.write(from: request.output, dataset: report.dataset, to: directory))
        }
        return report
    }
}

extension ImageNet16BuildReport {
    /// The `--json` report: pretty-printed with sorted keys (no final newline).
    public func json() throws -> String {
        var obj: [String: Any] = [
            "output": output, "dataset": dataset, "seconds": seconds,
            "images_decoded": imagesDecoded,
            "sets": sets.map { ["path": $0.path, "count": $0.count, "digest": $0.digest] },
            "skipped": failures.map { ["path": $0.path, "error": $0.message] },
            "notes": notes,
        ]
        if imagesDecoded > 0, seconds > 0 { obj["images_per_second"] = Double(imagesDecoded) / seconds }
        let data = try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// The human-readable report.
    public var lines: [String] {
        var lines = ["wrote \(output) (\(dataset))"]
        for s in sets { lines.append("  \(s.path): \(s.count) images, digest \(s.digest)") }
        for n in notes { lines.append("  \(n)") }
        if imagesDecoded > 0 {
            lines.append(String(format: "  %d images decoded in %.1f s (%.0f images/s)", imagesDecoded, seconds,
                                Double(imagesDecoded) / max(seconds, 1e-9)))
        }
        if !failures.isEmpty {
            lines.append("  skipped \(failures.count) unreadable image(s):")
            for f in failures { lines.append("    \(f.message)") }
        }
        return lines
    }
}
