/// Names and encodings of the HDF5 benchmark layout (schema `nb201-benchmark` v2, see
/// `Schemas/nb201-benchmark.v2.json`). One place, shared by the writer and the reader.
///
///     /meta_archs                 string [15625]    upstream's meta_archs, as stored
///     /evaluated_indexes          int64 [E]
///     /<hp>/                      hp = "12" (the file's `less`) or "200" (`full`)
///       archs/arch_index ...      one row per ArchResults (arch_str, clear_net_done, datasets)
///       archs/row_of_index        int64 [15625]: row in archs/ of an index, -1 if none
///       <dataset>/                one row per run (architecture x seed), rows of one arch contiguous
///         row_start, row_count    int64 [15625]: the rows of an index (-1 / 0 if none)
///         arch_index, seed, seed_field, epochs, params, flop, channel, num_cells, class_num,
///         arch_str, eval_names, latency_start, latency_count, latency_values
///         train/{acc1,loss,acc5,time}  float64 [R, epochs]; train/present uint8 [R, epochs]; train/dicts uint8 [R]
///         eval/<set>/{acc1,loss,time}  float64 [R, epochs]; eval/<set>/present uint8 [R, epochs]
///         final/...               float64 [R] last-epoch columns for tables (NaN = not recorded)
///
/// Missing values are NaN in the value arrays; the `present` bit masks say exactly which
/// entries the source dicts had, so a round trip restores every dict bit for bit.
public enum BenchmarkLayout {
    public static let schemaName = "nb201-benchmark"
    /// 2: NATS-Bench (root `search_space` tss|sss; hp groups named by the source's keys, any
    /// epoch count; per-index tables as long as the space; size-space arch_config columns).
    /// Version 1 files (NAS-Bench-201 only) are still read.
    public static let schemaVersion: Int64 = 2
    public static let readableVersions: Set<Int64> = [1, 2]

    /// Evaluation set names, in the column order of the layout.
    public static let evaluationSets = ["x-valid", "x-test", "ori-test"]

    /// Bits of `train/present`.
    public enum TrainBit {
        public static let acc1: UInt8 = 1, loss: UInt8 = 2, acc5: UInt8 = 4, time: UInt8 = 8
    }
    /// Bits of `train/dicts`: which of the optional dicts were not None.
    public enum TrainDictBit {
        public static let acc5: UInt8 = 1, times: UInt8 = 2
    }
    /// Bits of `eval/<set>/present`.
    public enum EvalBit {
        public static let acc1: UInt8 = 1, loss: UInt8 = 2, time: UInt8 = 4
    }

    /// Columns of `final/`, in order (besides `arch_index` and `seed`).
    public static let finalColumns: [String] = ["flop", "params", "latency", "train_acc1", "train_loss"]
        + evaluationSets.flatMap { ["\($0)_acc1", "\($0)_loss"] }

    /// Rows a per-epoch chunk holds.
    static let epochChunkRows = 64
    /// Elements of a 1-D column chunk.
    static let columnChunk = 4096
}
