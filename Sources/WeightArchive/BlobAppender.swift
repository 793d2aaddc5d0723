import Checksums
import HDF5

/// Appends bytes to `/blob` through the parallel chunk pipeline.
///
/// Every chunk is written exactly once: at a durable point the partly filled
/// last chunk is padded with zeros to its end and written, and appending goes on
/// in the next chunk. A durable chunk is thus never rewritten (a kill during a
/// rewrite could tear it); the cost is at most one chunk of padding per batch.
/// How many bytes are in use is the `blobBytes` field of the progress record.
final class BlobAppender {
    let dataset: Dataset
    let chunkBytes: Int
    private let compressor: ChunkCompressor
    /// Bytes in use (including those still in `tail`).
    private(set) var byteCount: Int
    /// Index of the chunk `tail` belongs to.
    private var tailChunk: Int
    private var tail: [UInt8]
    /// Chunk index of each chunk handed to the compressor, by submission order.
    private var submittedChunks: [Int: Int] = [:]
    private var submitted = 0
    /// Compressed bytes handed to HDF5 since the last `takeWrittenBytes()`.
    private var writtenBytes: Int64 = 0
    /// Sees every byte appended while set (the per-run checksum).
    var hasher: SHA256?

    init(dataset: Dataset, chunkBytes: Int, compressor: ChunkCompressor, byteCount: Int) throws {
        guard byteCount % chunkBytes == 0 else {
            throw ArchiveError.badArchive(path: dataset.filePath, reason: "blob length \(byteCount) at the last durable point is not a whole number of \(chunkBytes)-byte chunks")
        }
        self.dataset = dataset
        self.chunkBytes = chunkBytes
        self.compressor = compressor
        self.byteCount = byteCount
        tailChunk = byteCount / chunkBytes
        tail = []
        tail.reserveCapacity(chunkBytes)
    }

    func takeWrittenBytes() -> Int64 {
        defer { writtenBytes = 0 }
        return writtenBytes
    }

    /// Pads with zeros to the next multiple of `alignment` bytes.
    func align(to alignment: Int) throws {
        let pad = (alignment - byteCount % alignment) % alignment
        if pad > 0 { try append([UInt8](repeating: 0, count: pad)) }
    }

    func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        hasher?.update(bytes)
        var offset = 0
        while offset < bytes.count {
            let take = min(chunkBytes - tail.count, bytes.count - offset)
            tail.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + take]))
            offset += take
            byteCount += take
            if tail.count == chunkBytes {
                submittedChunks[submitted] = tailChunk
                submitted += 1
                let ready = try compressor.submit(tail)
                tail = []
                tail.reserveCapacity(chunkBytes)
                tailChunk += 1
                try writeReady(ready)
            }
        }
    }

    /// Pads the last chunk to its end and writes every chunk (durable after the caller's flush).
    func writeAll() throws {
        if !tail.isEmpty {
            let saved = hasher
            hasher = nil
            try append([UInt8](repeating: 0, count: chunkBytes - tail.count))
            hasher = saved
        }
        try writeReady(try compressor.drain())
    }

    private func writeReady(_ chunks: [ChunkCompressor.Compressed]) throws {
        guard let last = chunks.last, let lastChunk = submittedChunks[last.sequence] else { return }
        let wordsPerChunk = chunkBytes / ArchiveLayout.wordSize
        let needed = (lastChunk + 1) * wordsPerChunk
        if (dataset.shape.first ?? 0) < needed { try dataset.extend(firstDimensionTo: needed) }
        for c in chunks {
            let index = submittedChunks.removeValue(forKey: c.sequence)!
            try dataset.writeRawChunk(offset: [index * wordsPerChunk], bytes: c.bytes)
            writtenBytes += Int64(c.bytes.count)
        }
    }
}
