import Foundation
import HDF5
import Compression
import Concurrency

/// Reads a part's `/blob` chunk by chunk, in order, with the decompression on worker
/// threads; only this thread calls HDF5 (raw chunk reads).
///
/// Why not one hyperslab per run: HDF5 inflates through its filter pipeline on the
/// calling thread, and with 1 MiB chunks (larger than HDF5's default chunk cache) a chunk
/// shared by two runs is inflated twice. Streaming reads every stored byte once, on all
/// cores. Only the layouts nasdata writes (shuffle and/or deflate, in that order) are
/// streamed; `init` returns nil for anything else and the caller reads run by run.
struct BlobChunkStream {
    let blob: Dataset
    let chunkBytes: Int
    let filters: [String]
    /// Bytes of `/blob` in use (the tail of the last chunk is padding).
    let byteCount: Int

    init?(blob: Dataset, byteCount: Int) {
        guard let layout = try? blob.storageLayout(), let words = layout.chunks?.first, layout.chunks?.count == 1,
              words > 0, [[], ["shuffle"], ["deflate"], ["shuffle", "deflate"]].contains(layout.filters) else { return nil }
        self.blob = blob
        self.chunkBytes = words * ArchiveLayout.wordSize
        self.filters = layout.filters
        self.byteCount = byteCount
    }

    var chunkCount: Int { (byteCount + chunkBytes - 1) / chunkBytes }

    /// Calls `body` with each chunk's first byte offset and its decoded bytes (or why it
    /// could not be read), in order, keeping at most `2 * workers + 2` chunks in flight.
    func forEach(workers: Int, _ body: (_ start: Int, _ bytes: Result<[UInt8], Error>) throws -> Void) throws {
        let count = chunkCount
        guard count > 0 else { return }
        let pool = OrderedWorkers<Result<[UInt8], Error>>(workers: workers, name: "nasdata-inflate")
        defer { pool.shutdown() }
        let words = chunkBytes / ArchiveLayout.wordSize
        let size = chunkBytes, filters = filters
        var submitted = 0
        func submitNext() {
            let raw = Result { try blob.readRawChunk(offset: [submitted * words]) }
            submitted += 1
            pool.submit { cancelled in
                if cancelled { return .failure(CancellationError()) }
                return Result { try Self.decode(raw.get(), filters: filters, chunkBytes: size) }
            }
        }
        for _ in 0..<min(count, 2 * workers + 2) { submitNext() }
        for k in 0..<count {
            let result = pool.next()!
            if submitted < count { submitNext() }
            try body(k * chunkBytes, result)
        }
    }

    /// Undoes the filters in reverse pipeline order; bit i of the mask set means HDF5
    /// skipped filter i for this chunk.
    static func decode(_ raw: (bytes: [UInt8], filterMask: UInt32), filters: [String], chunkBytes: Int) throws -> [UInt8] {
        var data = raw.bytes
        for (i, filter) in filters.enumerated().reversed() where raw.filterMask & (1 << UInt32(i)) == 0 {
            switch filter {
            case "deflate": data = try data.withUnsafeBytes { try Deflate.decompress($0, expectedSize: chunkBytes) }
            default: data = ChunkEncoder.unshuffle(data, elementSize: ArchiveLayout.wordSize)
            }
        }
        guard data.count == chunkBytes else { throw WrongChunkSize(got: data.count, want: chunkBytes) }
        return data
    }

    struct WrongChunkSize: Error, CustomStringConvertible {
        let got: Int, want: Int
        var description: String { "a /blob chunk decodes to \(got) bytes, not \(want)" }
    }
}
