import HDF5
import Tensors

/// One growing table column: a chunked, extensible dataset of `dtype` with
/// `width` values a row (1 for plain columns; 32 for a SHA-256, ...).
///
/// Appended rows wait in memory until `write()` (called at each durable point),
/// which extends the dataset and writes them as one hyperslab. Rows past the
/// last durable point are cut off again by `truncate(toRows:)` when a killed
/// pack resumes.
final class Column {
    let dataset: Dataset
    let dtype: DType
    let width: Int
    private(set) var committedRows: Int
    private var pending: [UInt8] = []

    init(dataset: Dataset, dtype: DType, width: Int, committedRows: Int) {
        self.dataset = dataset
        self.dtype = dtype
        self.width = width
        self.committedRows = committedRows
    }

    static func create(in file: File, _ path: String, dtype: DType, width: Int = 1,
                       chunkRows: Int? = nil) throws -> Column {
        let rowBytes = dtype.byteSize * width
        let rows = chunkRows ?? max(1024, (64 << 10) / rowBytes)
        let shape = width == 1 ? [0] : [0, width]
        let maxShape: [Int?] = width == 1 ? [nil] : [nil, width]
        let chunks = width == 1 ? [rows] : [rows, width]
        let ds = try file.createDataset(path, dtype: dtype, shape: shape, maxShape: maxShape, chunks: chunks,
                                        shuffle: dtype.byteSize > 1, deflate: 4)
        return Column(dataset: ds, dtype: dtype, width: width, committedRows: 0)
    }

    static func open(in file: File, _ path: String, dtype: DType, width: Int = 1, rows: Int) throws -> Column {
        Column(dataset: try file.openDataset(path), dtype: dtype, width: width, committedRows: rows)
    }

    /// Rows appended (committed + pending).
    var rowCount: Int { committedRows + pending.count / (dtype.byteSize * width) }

    func append<T: TensorScalar>(_ value: T) {
        precondition(T.dtype == dtype && width == 1)
        withUnsafeBytes(of: value) { pending.append(contentsOf: $0) }
    }

    /// Appends raw little-endian bytes of whole rows.
    func appendBytes<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        pending.append(contentsOf: bytes)
        precondition(pending.count % (dtype.byteSize * width) == 0 || width == 1 && dtype.byteSize == 1)
    }

    /// Writes the pending rows to the file (not yet durable: the caller flushes);
    /// returns the bytes written.
    @discardableResult
    func write() throws -> Int {
        let rows = pending.count / (dtype.byteSize * width)
        guard rows > 0 else { return 0 }
        let written = pending.count
        try dataset.extend(firstDimensionTo: committedRows + rows)
        let shape = width == 1 ? [rows] : [rows, width]
        let start = width == 1 ? [committedRows] : [committedRows, 0]
        try dataset.writeTensor(Tensor(dtype: dtype, shape: shape, bytes: pending), start: start)
        committedRows += rows
        pending.removeAll(keepingCapacity: true)
        return written
    }

    /// Forgets everything after `rows` (pending rows and rows written after the last durable point).
    func truncate(toRows rows: Int) throws {
        pending.removeAll()
        if dataset.shape.first != rows { try dataset.extend(firstDimensionTo: rows) }
        committedRows = rows
    }
}
