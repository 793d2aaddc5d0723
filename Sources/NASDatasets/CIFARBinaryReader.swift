import Foundation
import NASDataIO
import ImageSet

/// Reads a CIFAR binary file (`data_batch_1.bin`, `train.bin`, ...): fixed-size
/// records of a label byte (CIFAR-100: coarse label, fine label) and 3072 planar
/// pixel bytes, streamed in pieces of at most `recordsPerPiece` records.
public enum CIFARBinaryReader {
    /// Calls `body` with consecutive pieces of the file's records; returns the count.
    @discardableResult
    public static func read(_ stream: ByteStream, size: Int64, layout: CIFARLayout, recordsPerPiece: Int = 2048,
                            _ body: (CIFARRecords) throws -> Void) throws -> Int {
        let recordSize = layout.binaryRecordSize
        guard size % Int64(recordSize) == 0 else {
            throw IOError.malformed(path: stream.path, offset: nil,
                                    reason: "\(size) bytes is not a whole number of \(recordSize)-byte \(layout.variant.displayName) binary records")
        }
        let total = Int(size / Int64(recordSize))
        let labelBytes = recordSize - CIFARImage.byteCount
        var buffer = [UInt8](repeating: 0, count: recordsPerPiece * recordSize)
        var done = 0
        while done < total {
            let n = min(recordsPerPiece, total - done)
            try buffer.withUnsafeMutableBytes { raw in
                let piece = UnsafeMutableRawBufferPointer(rebasing: raw[0..<(n * recordSize)])
                guard try stream.readExactly(into: piece, what: "CIFAR binary records") else {
                    throw IOError.truncated(path: stream.path, offset: stream.offset, reason: "ends after \(done) of \(total) records")
                }
            }
            var records = CIFARRecords()
            records.images.reserveCapacity(n * CIFARImage.byteCount)
            records.labels.reserveCapacity(n)
            try buffer.withUnsafeBytes { raw in
                for i in 0..<n {
                    let label = Int64(raw[i * recordSize + labelBytes - 1])
                    guard label < layout.variant.classCount else {
                        throw IOError.malformed(path: stream.path, offset: stream.offset - Int64((n - i) * recordSize),
                                                reason: "record \(done + i) has label \(label), outside 0..<\(layout.variant.classCount)")
                    }
                    records.labels.append(label)
                    let pixels = UnsafeRawBufferPointer(rebasing: raw[(i * recordSize + labelBytes)..<((i + 1) * recordSize)])
                    CIFARImage.appendInterleaved(planar: pixels, count: 1, to: &records.images)
                }
            }
            try body(records)
            done += n
        }
        return total
    }

    /// Class names from `batches.meta.txt` / `fine_label_names.txt`: one a line.
    public static func classNames(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self)
            .split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }
}
