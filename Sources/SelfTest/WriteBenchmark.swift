import Foundation
import HDF5
import Compression
import Concurrency

/// Write throughput of chunked float32 with shuffle + deflate, three ways: HDF5's
/// filter pipeline (compression under libhdf5's global lock), and direct chunk
/// writes of chunks compressed by `ChunkEncoder` on 1 and on all cores.
/// Run by `nasdata selftest --bench-mb N` (see Tools/bench-hdf5.sh).
struct WriteBenchmark {
    let directory: String
    let megabytes: Int
    static let cols = 256, chunkRows = 256, level = 4

    struct Result { var mode: String; var threads: Int; var seconds: Double; var mbPerSecond: Double; var fileBytes: Int }

    /// Weight-like data: normal noise (xorshift + Box-Muller), deterministic.
    func data(rows: Int) -> [Float] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        return (0..<(rows * Self.cols)).map { _ in Float(sqrt(-2 * log(next())) * cos(2 * .pi * next()) * 0.05) }
    }

    func run() throws -> [Result] {
        let rows = max(Self.chunkRows, megabytes * 1_048_576 / (4 * Self.cols) / Self.chunkRows * Self.chunkRows)
        let values = data(rows: rows)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var results: [Result] = []
        for (mode, threads) in [("hdf5-pipeline", 1), ("direct-chunks", 1), ("direct-chunks", cores)] {
            let path = directory + "/bench-\(mode)-\(threads).h5"
            let start = Self.now()
            let f = try File.create(path)
            let ds = try f.createDataset("x", dtype: .float32, shape: [rows, Self.cols], chunks: [Self.chunkRows, Self.cols],
                                         shuffle: true, deflate: Self.level)
            let slabs = rows / Self.chunkRows
            let slabCount = Self.chunkRows * Self.cols
            if mode == "hdf5-pipeline" {
                for s in 0..<slabs {
                    try ds.write(Array(values[(s * slabCount)..<((s + 1) * slabCount)]), start: [s * Self.chunkRows, 0], count: [Self.chunkRows, Self.cols])
                }
            } else {
                // Compress `threads` chunks at a time in parallel, then store them in order.
                for batch in stride(from: 0, to: slabs, by: threads) {
                    let n = min(threads, slabs - batch)
                    let out = BoundedParallel.map(count: n, jobs: n, makeState: { () }) { _, i in
                        let s = batch + i
                        let bytes = values[(s * slabCount)..<((s + 1) * slabCount)].withUnsafeBytes { Array($0) }
                        return try? ChunkEncoder.encode(bytes, elementSize: 4, shuffle: true, deflate: Self.level)
                    }
                    for i in 0..<n {
                        guard let chunk = out[i] else { throw SelfTestFailure(message: "compression failed") }
                        try ds.writeRawChunk(offset: [(batch + i) * Self.chunkRows, 0], bytes: chunk)
                    }
                }
            }
            f.close()
            let seconds = Self.now() - start
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            // Check what was written decodes to the input (outside the timing).
            let back = try File.open(path).openDataset("x").read(as: Float.self, start: [rows - Self.chunkRows, 0],
                                                                 count: [Self.chunkRows, Self.cols])
            guard back == Array(values[((rows - Self.chunkRows) * Self.cols)...]) else {
                throw SelfTestFailure(message: "\(path): benchmark data did not read back")
            }
            unlink(path)
            results.append(Result(mode: mode, threads: threads, seconds: seconds,
                                  mbPerSecond: Double(values.count * 4) / 1_048_576 / seconds, fileBytes: size))
        }
        return results
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
