import HDF5
import NASCore
import Tensors

/// The on-disk layout of a weight archive (schema `nb201-archive`, version 2;
/// Schemas/nb201-archive.v2.json is the checked description). Version 2 added the root
/// attributes `benchmark` and `search_space` (NATS-Bench archives, either space); a
/// version 1 file (no such attributes) is a NAS-Bench-201 archive and still read.
///
/// One run = (architecture, hp, dataset, seed). Its whole state dict is one
/// contiguous byte range of `/blob`; `/tensors/*` rows say where each tensor
/// sits in that range. Tables are columns (one 1-D dataset per field) so that
/// appending a batch is one hyperslab write per column and h5py reads any column
/// as a numpy array. No HDF5 object is created per run or per tensor.
public enum ArchiveLayout {
    public static let schemaName = "nb201-archive"
    public static let schemaVersion: Int64 = 2
    public static let masterSchemaName = "nb201-archive-master"
    public static let masterSchemaVersion: Int64 = 1

    /// The `hp_note` attribute: what the `runs/hp` column means for these files.
    static func hpNote(_ files: WeightFiles) -> String {
        switch files {
        case .nasBench201: return "hp = training epochs: 12 ('less') or 200 ('full')"
        case .nats(let space):
            return "hp = training epochs, the file's hp key as a number: "
                + space.schedules.map(\.rawValue).joined(separator: ", ")
        }
    }

    /// What an archive file (or shard) holds, from its `benchmark` and `search_space` attributes.
    static func weightFiles(of file: File, path: String) throws -> WeightFiles {
        var benchmark: String?, space: String?
        if case .string(let v)? = try file.attribute("benchmark") { benchmark = v }
        if case .string(let v)? = try file.attribute("search_space") { space = v }
        guard let files = WeightFiles(benchmark: benchmark, space: space) else {
            throw ArchiveError.badArchive(path: path, reason: "unknown benchmark \(benchmark ?? "-") / search_space \(space ?? "-")")
        }
        return files
    }

    /// All tensor bytes; `int32` words (the bytes are reinterpreted, never
    /// converted: read with `.view(np.uint8)`) so HDF5's shuffle filter groups the four
    /// bytes of every float32 (each tensor starts at a 4-byte boundary).
    public static let blob = "blob"
    public static let wordSize = 4

    /// The durable-point record: `int64[progressFields.count]`, rewritten in place
    /// at each commit (fixed-size contiguous storage: no metadata changes).
    public static let progress = "progress"
    public enum Field: Int, CaseIterable {
        case blobBytes, runs, tensors, tensorNames, tensorNamesBytes, sources, sourceNameBytes,
             sourceArchBytes, resultsBytes, problems, problemsBytes, inputsDone, complete
        public var name: String { String(describing: self) }
    }

    // /runs: one row per run.
    public static let runColumns: [(String, DType)] = [
        ("runs/arch_index", .int32), ("runs/hp", .int16), ("runs/dataset", .uint8), ("runs/seed", .int32),
        ("runs/byte_offset", .int64), ("runs/byte_count", .int64),
        ("runs/tensor_start", .int64), ("runs/tensor_count", .int32),
        ("runs/source", .int32), ("runs/results_end", .int64),
    ]
    /// `uint8[runs, 32]`: SHA-256 of the run's byte range of `/blob` (padding included).
    public static let runSHA256 = "runs/sha256"
    /// UTF-8 JSON of each run's results (the ResultsCount-dict without `net_state_dict`),
    /// concatenated; row i spans `results_end[i-1] ..< results_end[i]`.
    public static let resultsText = "runs/results_json"

    // /tensors: one row per tensor, in state-dict order, grouped by run.
    public static let tensorColumns: [(String, DType)] = [
        ("tensors/name", .int32), ("tensors/dtype", .uint8), ("tensors/ndim", .uint8),
        ("tensors/byte_offset", .int64), ("tensors/byte_count", .int64),
    ]
    /// `int64[tensors, maxRank]`, unused dimensions 0.
    public static let tensorShape = "tensors/shape"
    public static let maxRank = 4
    /// Distinct tensor names, each followed by "\n" (`tensors/name` indexes this list).
    public static let tensorNamesText = "tensor_names"

    // /sources: one row per input FULL file that was packed.
    public static let sourceColumns: [(String, DType)] = [
        ("sources/arch_index", .int32), ("sources/size", .int64),
        ("sources/name_end", .int64), ("sources/arch_str_end", .int64),
    ]
    public static let sourceMD5 = "sources/md5"
    public static let sourceNamesText = "sources/name"
    public static let sourceArchText = "sources/arch_str"

    /// Inputs skipped with --keep-going: JSON lines `{"member":..., "error":...}`.
    public static let problemsText = "problems_jsonl"

    public static let datasetNames = NB201Dataset.allCases.map(\.name)
    public static let dtypeNames = DType.allCases.map(\.rawValue)
}
