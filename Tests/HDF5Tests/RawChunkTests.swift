import XCTest
import Tensors
@testable import HDF5
import Compression

/// Direct chunk writes: chunks compressed by our own code (ChunkEncoder) must read
/// back through HDF5's own filter pipeline.
final class RawChunkTests: XCTestCase {
    func testShuffleRoundTripAndLayout() {
        let bytes: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 9]  // two 4-byte elements + 1 leftover byte
        let shuffled = ChunkEncoder.shuffle(bytes, elementSize: 4)
        XCTAssertEqual(shuffled, [1, 5, 2, 6, 3, 7, 4, 8, 9])
        XCTAssertEqual(ChunkEncoder.unshuffle(shuffled, elementSize: 4), bytes)
    }

    /// The 4-byte fast path against the definition (byte j of element i goes to j * n + i),
    /// for every length around its 4-element step, and for other element sizes.
    func testShuffleMatchesDefinitionForEveryLength() {
        for size in [2, 3, 4, 8] {
            for count in 0..<70 {
                let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
                let n = count / size
                var expected = bytes
                for i in 0..<n { for j in 0..<size { expected[j * n + i] = bytes[i * size + j] } }
                let shuffled = ChunkEncoder.shuffle(bytes, elementSize: size)
                XCTAssertEqual(shuffled, expected, "element size \(size), \(count) bytes")
                XCTAssertEqual(ChunkEncoder.unshuffle(shuffled, elementSize: size), bytes)
            }
        }
    }

    func testOwnShuffleDeflateChunksReadBackThroughHDF5() throws {
        let dir = TempDir()
        let path = dir.file("raw.h5")
        let rows = 10, cols = 6, chunkRows = 4  // 3 chunks along rows, the last one partial
        let values = (0..<(rows * cols)).map { Float($0) * 0.5 - 7 }
        do {
            let f = try File.create(path)
            let ds = try f.createDataset("x", dtype: .float32, shape: [rows, cols], chunks: [chunkRows, cols],
                                         shuffle: true, deflate: 5)
            XCTAssertEqual(try ds.storageLayout(), StorageLayout(chunks: [chunkRows, cols], shuffle: true, deflate: 5,
                                                                 filters: try ds.storageLayout().filters))
            for r0 in stride(from: 0, to: rows, by: chunkRows) {
                var chunk = [Float](repeating: 0, count: chunkRows * cols)  // full chunk, padded at the edge
                for r in r0..<min(r0 + chunkRows, rows) {
                    for c in 0..<cols { chunk[(r - r0) * cols + c] = values[r * cols + c] }
                }
                let raw = chunk.withUnsafeBytes { Array($0) }
                let encoded = try ChunkEncoder.encode(raw, elementSize: 4, shuffle: true, deflate: 5)
                XCTAssertLessThan(encoded.count, raw.count)
                try ds.writeRawChunk(offset: [r0, 0], bytes: encoded)
            }
            f.close()
        }
        let ds = try File.open(path).openDataset("x")
        XCTAssertEqual(try ds.read(as: Float.self), values)  // decoded by HDF5's own filters
        // And HDF5's own pipeline writes what our encoder writes (same zlib, same level).
        let f2 = try File.create(dir.file("pipeline.h5"))
        let ds2 = try f2.createDataset("x", dtype: .float32, shape: [rows, cols], chunks: [chunkRows, cols],
                                       shuffle: true, deflate: 5)
        try ds2.write(values)
        try f2.flush()
        let ours = try ds.readRawChunk(offset: [0, 0])
        let theirs = try ds2.readRawChunk(offset: [0, 0])
        XCTAssertEqual(ours.filterMask, 0)
        XCTAssertEqual(ours.bytes, theirs.bytes)
    }

    func testRawChunkErrors() throws {
        let dir = TempDir()
        let f = try File.create(dir.file("e.h5"))
        let contiguous = try f.createDataset("c", dtype: .uint8, shape: [8])
        XCTAssertThrowsError(try contiguous.writeRawChunk(offset: [0], bytes: [1])) {
            XCTAssertEqual(($0 as? HDF5Error)?.kind, .unsupported)
        }
        let chunked = try f.createDataset("k", dtype: .uint8, shape: [8], chunks: [4])
        XCTAssertThrowsError(try chunked.writeRawChunk(offset: [2], bytes: [1, 2, 3, 4])) {
            XCTAssertEqual(($0 as? HDF5Error)?.kind, .shapeMismatch)
        }
        try chunked.writeRawChunk(offset: [4], bytes: [5, 6, 7, 8])  // no filters: raw bytes
        XCTAssertEqual(try chunked.read(as: UInt8.self), [0, 0, 0, 0, 5, 6, 7, 8])
    }
}
