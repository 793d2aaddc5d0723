import NASDataIO
import Compression

/// The central directory of a zip archive (torch's zip checkpoints, numpy's `.npz`), with
/// ZIP64 support. Only reads metadata; entry data is read by offset on demand, one entry
/// at a time. Entries may be stored (method 0) or deflated (method 8, inflated through
/// zlib); every read checks the entry's size and CRC-32.
///
///     let zip = try ZipReader(path: "x.npz")
///     for e in zip.entries { print(e.name, e.size) }
///     let bytes = try zip.contents(of: zip.entry("data.npy")!, limit: 1 << 30)   // whole entry
///     try zip.forEachChunk(of: e) { chunk in ... }                               // streaming
public final class ZipReader: @unchecked Sendable {
    public struct Entry: Sendable {
        public let name: String
        /// 0 = stored, 8 = deflated (the only two read).
        public let method: UInt16
        public let crc: UInt32
        public let compressedSize: Int64
        /// Uncompressed size, as the central directory says.
        public let size: Int64
        let localHeaderOffset: Int64
    }

    let file: RandomAccessFile
    public let entries: [Entry]
    private let byName: [String: Int]
    public var path: String { file.path }

    public convenience init(path: String) throws {
        try self.init(file: RandomAccessFile(path: path))
    }

    init(file: RandomAccessFile) throws {
        self.file = file
        let path = file.path
        func bad(_ offset: Int64?, _ why: String) -> IOError { .malformed(path: path, offset: offset, reason: why) }

        // End of central directory: 22 bytes + comment (<= 65535) at the end.
        let tailCount = Int(min(file.size, 22 + 65535))
        let tailStart = file.size - Int64(tailCount)
        let tail = try file.read(at: tailStart, count: tailCount, what: "zip end record")
        guard tail.count >= 22, let eocd = stride(from: tail.count - 22, through: 0, by: -1).first(where: {
            readLE(tail, $0, as: UInt32.self) == 0x0605_4B50
        }) else { throw bad(nil, "not a zip archive (no end of central directory record)") }
        var count = Int64(readLE(tail, eocd + 10, as: UInt16.self))
        var cdSize = Int64(readLE(tail, eocd + 12, as: UInt32.self))
        var cdOffset = Int64(readLE(tail, eocd + 16, as: UInt32.self))
        let eocdAbs = tailStart + Int64(eocd)

        // ZIP64: a locator right before the end record points to the ZIP64 end record.
        if eocdAbs >= 20 {
            let loc = try file.read(at: eocdAbs - 20, count: 20, what: "zip64 locator")
            if readLE(loc, 0, as: UInt32.self) == 0x0706_4B50 {
                let z64 = Int64(readLE(loc, 8, as: UInt64.self))
                let rec = try file.read(at: z64, count: 56, what: "zip64 end record")
                guard readLE(rec, 0, as: UInt32.self) == 0x0606_4B50 else { throw bad(z64, "bad zip64 end record signature") }
                count = Int64(readLE(rec, 32, as: UInt64.self))
                cdSize = Int64(readLE(rec, 40, as: UInt64.self))
                cdOffset = Int64(readLE(rec, 48, as: UInt64.self))
            }
        }
        guard cdOffset >= 0, cdSize >= 0, cdOffset <= file.size, cdSize <= file.size - cdOffset else {
            throw bad(eocdAbs, "central directory (\(cdSize) bytes at \(cdOffset)) lies outside the file")
        }
        guard count >= 0, count <= cdSize / 46 else { throw bad(eocdAbs, "\(count) entries cannot fit in \(cdSize) bytes") }
        let cd = try file.read(at: cdOffset, count: Int(cdSize), what: "zip central directory")

        var entries: [Entry] = []
        entries.reserveCapacity(Int(count))
        var p = 0
        for _ in 0..<count {
            let at = cdOffset + Int64(p)
            guard p + 46 <= cd.count, readLE(cd, p, as: UInt32.self) == 0x0201_4B50 else {
                throw bad(at, "bad central directory entry")
            }
            let method = readLE(cd, p + 10, as: UInt16.self)
            let crc = readLE(cd, p + 16, as: UInt32.self)
            var csize = Int64(readLE(cd, p + 20, as: UInt32.self))
            var usize = Int64(readLE(cd, p + 24, as: UInt32.self))
            let nlen = Int(readLE(cd, p + 28, as: UInt16.self))
            let xlen = Int(readLE(cd, p + 30, as: UInt16.self))
            let clen = Int(readLE(cd, p + 32, as: UInt16.self))
            var lho = Int64(readLE(cd, p + 42, as: UInt32.self))
            guard p + 46 + nlen + xlen + clen <= cd.count else { throw bad(at, "central directory entry runs past its end") }
            let name = String(decoding: cd[p + 46..<p + 46 + nlen], as: UTF8.self)
            // ZIP64 extra field: present values replace the 0xFFFFFFFF placeholders, in order.
            var x = p + 46 + nlen
            let xend = x + xlen
            while x + 4 <= xend {
                let id = readLE(cd, x, as: UInt16.self), len = Int(readLE(cd, x + 2, as: UInt16.self))
                guard x + 4 + len <= xend else { throw bad(at, "bad extra field in entry \(name)") }
                if id == 0x0001 {
                    var q = x + 4
                    func next() throws -> Int64 {
                        guard q + 8 <= x + 4 + len else { throw bad(at, "short zip64 extra field in entry \(name)") }
                        defer { q += 8 }
                        return Int64(readLE(cd, q, as: UInt64.self))
                    }
                    if usize == 0xFFFF_FFFF { usize = try next() }
                    if csize == 0xFFFF_FFFF { csize = try next() }
                    if lho == 0xFFFF_FFFF { lho = try next() }
                }
                x += 4 + len
            }
            guard usize >= 0, csize >= 0, lho >= 0, lho < file.size, csize <= file.size - lho else {
                throw bad(at, "entry \(name) (\(csize) bytes at \(lho)) lies outside the file")
            }
            entries.append(Entry(name: name, method: method, crc: crc, compressedSize: csize, size: usize,
                                 localHeaderOffset: lho))
            p += 46 + nlen + xlen + clen
        }
        self.entries = entries
        self.byName = Dictionary(entries.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func entry(_ name: String) -> Entry? { byName[name].map { entries[$0] } }

    /// Absolute offset of a stored entry's data (after its local header).
    func dataOffset(_ e: Entry) throws -> Int64 {
        let h = try file.read(at: e.localHeaderOffset, count: 30, what: "local header of \(e.name)")
        guard readLE(h, 0, as: UInt32.self) == 0x0403_4B50 else {
            throw IOError.malformed(path: file.path, offset: e.localHeaderOffset, reason: "bad local header of \(e.name)")
        }
        let off = e.localHeaderOffset + 30 + Int64(readLE(h, 26, as: UInt16.self)) + Int64(readLE(h, 28, as: UInt16.self))
        guard off <= file.size, e.compressedSize <= file.size - off else {
            throw IOError.truncated(path: file.path, offset: off, reason: "data of \(e.name) runs past the end")
        }
        return off
    }

    /// Checks that an entry is stored uncompressed (torch never compresses) and returns its data offset.
    func storedDataOffset(_ e: Entry) throws -> Int64 {
        guard e.method == 0, e.compressedSize == e.size else {
            throw IOError.malformed(path: file.path, offset: e.localHeaderOffset,
                                    reason: "entry \(e.name) is compressed (method \(e.method)); torch stores entries uncompressed")
        }
        return try dataOffset(e)
    }

    /// Reads the whole entry and checks its CRC-32 (stored entries only).
    func verifyCRC(_ e: Entry) throws {
        let off = try storedDataOffset(e)
        var crc = CRC32()
        try file.forEachChunk(at: off, count: e.size, what: e.name) { crc.update($0) }
        guard crc.value == e.crc else {
            throw IOError.malformed(path: file.path, offset: off, reason:
                "CRC-32 mismatch in \(e.name): stored \(hex8(e.crc)), data \(hex8(crc.value))")
        }
    }

    func read(_ e: Entry) throws -> [UInt8] {
        try file.read(at: try storedDataOffset(e), count: Int(e.size), what: e.name)
    }

    /// The whole (uncompressed) entry, CRC-32 checked. Refuses, before allocating, an entry
    /// whose central-directory size exceeds `limit`.
    public func contents(of e: Entry, limit: Int) throws -> [UInt8] {
        guard e.size <= Int64(limit) else {
            throw IOError.malformed(path: file.path, offset: e.localHeaderOffset,
                                    reason: "entry \(e.name) holds \(e.size) bytes, more than the \(limit) allowed")
        }
        var out: [UInt8] = []
        out.reserveCapacity(Int(e.size))
        try forEachChunk(of: e) { out += $0 }
        return out
    }

    /// Delivers the entry's uncompressed bytes in chunks of at most 1 MiB (bounded memory
    /// whatever its size), then checks that their count and CRC-32 match the central directory.
    public func forEachChunk(of e: Entry, _ body: ([UInt8]) throws -> Void) throws {
        let off = try dataOffset(e)
        var crc = CRC32()
        var produced: Int64 = 0
        func deliver(_ chunk: [UInt8]) throws {
            produced += Int64(chunk.count)
            guard produced <= e.size else {
                throw IOError.malformed(path: file.path, offset: off, reason: "entry \(e.name) holds more than its recorded \(e.size) bytes")
            }
            crc.update(chunk)
            try body(chunk)
        }
        switch e.method {
        case 0:
            guard e.compressedSize == e.size else {
                throw IOError.malformed(path: file.path, offset: e.localHeaderOffset,
                                        reason: "stored entry \(e.name) has sizes \(e.compressedSize) and \(e.size)")
            }
            try file.forEachChunk(at: off, count: e.size, what: e.name, deliver)
        case 8:
            try RawInflater(path: file.path, entry: e.name).run(file, at: off, count: e.compressedSize, deliver)
        default:
            throw IOError.malformed(path: file.path, offset: e.localHeaderOffset,
                                    reason: "entry \(e.name) uses compression method \(e.method); only stored (0) and deflate (8) are read")
        }
        guard produced == e.size else {
            throw IOError.truncated(path: file.path, offset: off, reason: "entry \(e.name) gave \(produced) bytes, its header says \(e.size)")
        }
        guard crc.value == e.crc else {
            throw IOError.malformed(path: file.path, offset: off, reason:
                "CRC-32 mismatch in \(e.name): stored \(hex8(e.crc)), data \(hex8(crc.value))")
        }
    }
}

/// zlib raw inflate (no zlib/gzip wrapper: window bits -15), what zip's method 8 is.
private final class RawInflater {
    let path: String, entry: String
    private let inflater: Inflater

    init(path: String, entry: String) throws {
        self.path = path
        self.entry = entry
        do { inflater = try Inflater(.raw) } catch {
            throw IOError.malformed(path: path, offset: nil, reason: "\(error) for \(entry)")
        }
    }

    func run(_ file: RandomAccessFile, at offset: Int64, count: Int64, _ deliver: ([UInt8]) throws -> Void) throws {
        var output = [UInt8](repeating: 0, count: 1 << 20)
        var ended = false
        var consumed: Int64 = 0
        try file.forEachChunk(at: offset, count: count, what: entry) { input in
            guard !ended else {
                throw IOError.malformed(path: path, offset: offset + consumed, reason: "deflate data of \(entry) ends before its recorded compressed size")
            }
            try input.withUnsafeBufferPointer { inBuf in
                inflater.setInput(inBuf.baseAddress, count: inBuf.count)
                var status: Inflater.Status
                repeat {
                    do {
                        status = try output.withUnsafeMutableBufferPointer { outBuf in
                            inflater.setOutput(outBuf.baseAddress, count: outBuf.count)
                            return try inflater.inflate()
                        }
                    } catch {
                        throw IOError.malformed(path: path, offset: offset + consumed + Int64(inBuf.count - inflater.availableInput),
                                                reason: "corrupt deflate data in \(entry): \(error)")
                    }
                    let made = output.count - inflater.availableOutput
                    if status == .streamEnd { ended = true }
                    if made > 0 { try deliver(Array(output[0..<made])) }
                    if status == .stalled && made == 0 { break }
                } while !ended && (inflater.availableInput > 0 || inflater.availableOutput == 0)
                if ended && inflater.availableInput > 0 {
                    throw IOError.malformed(path: path, offset: offset + consumed, reason: "deflate data of \(entry) ends before its recorded compressed size")
                }
            }
            consumed += Int64(input.count)
        }
        guard ended else {
            throw IOError.truncated(path: path, offset: offset + count, reason: "deflate data of \(entry) is cut short (no end of stream)")
        }
    }
}

func hex8(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 8 - s.count) + s
}
