import ArgumentParser
import NASDatasets

/// `nasdata build-imagenet16`: ImageNet16-120 from the ILSVRC2012 JPEGs, from the
/// Downsampled-ImageNet batches, or by merging shard files.
struct BuildImageNet16: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build-imagenet16",
        abstract: "Build ImageNet16-120 (HDF5, nb201-dataset schema) from ILSVRC2012 JPEGs or the Downsampled-ImageNet batches.",
        discussion: """
        From raw ImageNet (--ilsvrc DIR with train/<wnid>/*.JPEG and val/*.JPEG, plus the devkit's \
        map_clsloc.txt and ILSVRC2015_clsloc_validation_ground_truth.txt): every image is decoded, \
        converted to RGB and squashed to SIZE x SIZE with a resize that reproduces Pillow's \
        Image.resize((16, 16), Image.BOX) bit for bit (Pillow 13 pass order; --legacy-pass-order for \
        Pillow < 13). Labels 1...CLASSES of map_clsloc.txt are kept, stored 0-based. Order: label, then \
        file name, so two builds are byte-identical; each set's digest is order-independent. \
        Work runs on all cores (--threads); --shard K/N builds one part, --merge joins parts. \
        --fast decodes with libjpeg-turbo's DCT scaling (faster, not Pillow-exact).

        From the Downsampled-ImageNet release (--downsampled DIR with train_data_batch_1..10 and \
        val_data, checked against their published MD5s, or the .npz files): rows with label 1...120 \
        in file order, exactly the upstream loader's 151,700 / 6,000 images.

        The official imagenet-16-120-test-split.txt (built into nasdata; --splits DIR for a variant, \
        --no-splits for inputs that are not the official data set) adds x-valid / x-test; with --ilsvrc \
        the split indexes this build's validation order, which is not the (unrecorded) order of the \
        published batches. --format autodl also writes the 11 pickled batch files upstream's \
        ImageNet16 class reads, into --autodl-dir.
        """)

    @Option(name: .long, help: "ILSVRC2012 root (train/<wnid>/, val/).")
    var ilsvrc: String?

    @Option(name: .customLong("class-map"), help: "The devkit's map_clsloc.txt (needed with --ilsvrc; gives class names and wnids with --downsampled).")
    var classMap: String?

    @Option(name: .customLong("val-labels"), help: "The devkit's validation ground truth, map_clsloc numbering (with --ilsvrc; not needed if val/ has class folders).")
    var valLabels: String?

    @Option(name: .long, help: "Directory with train_data_batch_1..10 and val_data (or their .npz files, or the .zip archives of those) of Downsampled ImageNet 16x16.")
    var downsampled: String?

    @Option(name: .long, parsing: .upToNextOption, help: "Shard files (from --shard K/N) to merge into -o.")
    var merge: [String] = []

    @Option(name: .long, help: "Keep labels 1...N of map_clsloc.txt.")
    var classes = 120

    @Option(name: .long, help: "Output side in pixels.")
    var size = 16

    @Option(name: .long, help: "Directory holding a variant imagenet-16-120-test-split.txt (default: the official one, built in; it adds x-valid / x-test).")
    var splits: String?

    @Flag(name: .customLong("no-splits"), help: "No x-valid / x-test: for inputs that are not the official data set.")
    var noSplits = false

    @Flag(name: .customLong("allow-unverified"), help: "Accept inputs whose MD5 is not the published one.")
    var allowUnverified = false

    @Option(name: .long, help: "Build only shard K of N (K/N, K from 0 to N-1, as pack-archive and $SLURM_ARRAY_TASK_ID), e.g. 0/4.")
    var shard: String?

    @Flag(name: .customLong("keep-going"), help: "Skip unreadable images and list them instead of stopping.")
    var keepGoing = false

    @Flag(name: .long, help: "Fast mode: DCT-domain downscaling in libjpeg-turbo before the BOX resize (not Pillow-exact).")
    var fast = false

    @Flag(name: .customLong("legacy-pass-order"), help: "Horizontal pass first always, as Pillow < 13 (which made the 2017 release).")
    var legacyPassOrder = false

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(name: .long, help: "Output format: hdf5, or autodl (HDF5 plus the 11 pickled batch files).")
    var format = "hdf5"

    @Option(name: .customLong("autodl-dir"), help: "Where --format autodl writes the batch files (default: OUTPUT without .h5, + '-autodl').")
    var autodlDir: String?

    @Option(name: .shortAndLong, help: "Output HDF5 file.")
    var output: String

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        let modes = [ilsvrc != nil, downsampled != nil, !merge.isEmpty].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("give exactly one of --ilsvrc DIR, --downsampled DIR, --merge SHARD...") }
        if ilsvrc != nil, classMap == nil { throw ValidationError("--ilsvrc needs --class-map map_clsloc.txt") }
        guard format == "hdf5" || format == "autodl" else { throw ValidationError("--format must be hdf5 or autodl") }
        guard size >= 1, size <= 512 else { throw ValidationError("--size must be in 1...512") }
        if let threads, threads < 1 { throw ValidationError("--threads must be >= 1") }
        if noSplits, splits != nil { throw ValidationError("give --splits DIR or --no-splits, not both") }
        if shard != nil, ilsvrc == nil { throw ValidationError("--shard works with --ilsvrc") }
        if let shard, parsedShard(shard) == nil {
            throw ValidationError("--shard wants K/N with 0 <= K < N, K counted from 0 (got \"\(shard)\"; the shards of 4 are 0/4 ... 3/4)")
        }
        if format == "autodl", shard != nil { throw ValidationError("--format autodl needs the whole set: build shards as hdf5, then --merge with --format autodl") }
    }

    func run() throws {
        try OutputPath.check(output, writes: ["h5", "hdf5"], format: "HDF5")
        let source: ImageNet16BuildRequest.Source
        if let ilsvrc {
            var options = ImageNet16ILSVRCOptions(root: ilsvrc, classMap: classMap!)
            options.valLabels = valLabels
            options.classes = classes
            options.keepGoing = keepGoing
            options.downsample.size = size
            options.downsample.fastDecode = fast
            options.downsample.passOrder = legacyPassOrder ? .horizontalFirst : .pillow13
            if let threads { options.downsample.threads = threads }
            options.shard = shard.flatMap(parsedShard)
            source = .ilsvrc(options)
        } else if let downsampled {
            source = .downsampled(directory: downsampled, classMap: classMap, classes: classes)
        } else {
            source = .merge(shards: merge)
        }
        var request = ImageNet16BuildRequest(source: source, output: output)
        request.splits = noSplits ? .none : splits.map { .directory($0) } ?? .official
        request.allowUnverified = allowUnverified
        if format == "autodl" { request.autodlDirectory = autodlDir ?? ImageNet16BuildRequest.defaultAutodlDirectory(for: output) }
        let report = try ImageNet16Build.run(request)
        print(json ? try report.json() : report.lines.joined(separator: "\n"))
    }

    /// "K/N" with 0 <= K < N (validated in validate()).
    private func parsedShard(_ text: String) -> (k: Int, n: Int)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), k >= 0, k < n else { return nil }
        return (k, n)
    }
}
