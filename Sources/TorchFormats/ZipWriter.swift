#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NASDataIO
import Compression

/// Writes an uncompressed zip archive sequentially (entries' data 64-byte aligned,
/// as torch writes them, ZIP64 records when offsets or sizes need them).
final class ZipWriter {
    private struct Written { let name: [UInt8]; let crc: UInt32; let size: Int64; let offset: Int64 }
    private let fd: Int32
    private let path: String
    private var offset: Int64 = 0
    private var written: [Written] = []
    static let alignment = 64

    init(path: String) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw IOError.system(operation: "create", path: path, errno: errno) }
        self.path = path
    }

    deinit { close(fd) }

    private func put(_ bytes: [UInt8]) throws {
        try writeAll(fd, bytes, path: path)
        offset += Int64(bytes.count)
    }

    func add(_ name: String, _ data: [UInt8]) throws {
        let nameBytes = Array(name.utf8)
        let crc = CRC32.of(data)
        let headerOffset = offset
        let big = Int64(data.count) >= 0xFFFF_FFFF || headerOffset >= 0xFFFF_FFFF
        var h: [UInt8] = []
        appendLE(&h, UInt32(0x0403_4B50))
        appendLE(&h, UInt16(big ? 45 : 20))  // version needed
        appendLE(&h, UInt16(0))              // flags
        appendLE(&h, UInt16(0))              // stored
        appendLE(&h, UInt16(0)); appendLE(&h, UInt16(0x21))  // time, date (1980-01-01)
        appendLE(&h, crc)
        appendLE(&h, UInt32(big ? 0xFFFF_FFFF : UInt32(data.count)))
        appendLE(&h, UInt32(big ? 0xFFFF_FFFF : UInt32(data.count)))
        appendLE(&h, UInt16(nameBytes.count))
        var extra: [UInt8] = []
        if big {
            appendLE(&extra, UInt16(1)); appendLE(&extra, UInt16(16))
            appendLE(&extra, UInt64(data.count)); appendLE(&extra, UInt64(data.count))
        }
        // Pad with an unknown-id extra field so the data starts on a 64-byte boundary.
        let unpadded = Int(headerOffset) + 30 + nameBytes.count + extra.count
        var pad = (ZipWriter.alignment - unpadded % ZipWriter.alignment) % ZipWriter.alignment
        if pad > 0 && pad < 4 { pad += ZipWriter.alignment }
        if pad > 0 {
            appendLE(&extra, UInt16(0x4246)); appendLE(&extra, UInt16(pad - 4))
            extra += [UInt8](repeating: 0x5A, count: pad - 4)
        }
        appendLE(&h, UInt16(extra.count))
        try put(h + nameBytes + extra)
        try put(data)
        written.append(Written(name: nameBytes, crc: crc, size: Int64(data.count), offset: headerOffset))
    }

    func finish() throws {
        let cdStart = offset
        var cd: [UInt8] = []
        for w in written {
            let big = w.size >= 0xFFFF_FFFF || w.offset >= 0xFFFF_FFFF
            appendLE(&cd, UInt32(0x0201_4B50))
            appendLE(&cd, UInt16(big ? 45 : 20)); appendLE(&cd, UInt16(big ? 45 : 20))
            appendLE(&cd, UInt16(0)); appendLE(&cd, UInt16(0))
            appendLE(&cd, UInt16(0)); appendLE(&cd, UInt16(0x21))
            appendLE(&cd, w.crc)
            appendLE(&cd, UInt32(big ? 0xFFFF_FFFF : UInt32(w.size)))
            appendLE(&cd, UInt32(big ? 0xFFFF_FFFF : UInt32(w.size)))
            appendLE(&cd, UInt16(w.name.count))
            appendLE(&cd, UInt16(big ? 28 : 0))
            appendLE(&cd, UInt16(0)); appendLE(&cd, UInt16(0)); appendLE(&cd, UInt16(0)); appendLE(&cd, UInt32(0))
            appendLE(&cd, UInt32(big ? 0xFFFF_FFFF : UInt32(w.offset)))
            cd += w.name
            if big {
                appendLE(&cd, UInt16(1)); appendLE(&cd, UInt16(24))
                appendLE(&cd, UInt64(w.size)); appendLE(&cd, UInt64(w.size)); appendLE(&cd, UInt64(w.offset))
            }
        }
        try put(cd)
        let cdSize = Int64(cd.count)
        let needs64 = written.count >= 0xFFFF || cdStart >= 0xFFFF_FFFF || cdSize >= 0xFFFF_FFFF
        var tail: [UInt8] = []
        if needs64 {
            let z64 = offset
            appendLE(&tail, UInt32(0x0606_4B50)); appendLE(&tail, UInt64(44))
            appendLE(&tail, UInt16(45)); appendLE(&tail, UInt16(45))
            appendLE(&tail, UInt32(0)); appendLE(&tail, UInt32(0))
            appendLE(&tail, UInt64(written.count)); appendLE(&tail, UInt64(written.count))
            appendLE(&tail, UInt64(cdSize)); appendLE(&tail, UInt64(cdStart))
            appendLE(&tail, UInt32(0x0706_4B50)); appendLE(&tail, UInt32(0)); appendLE(&tail, UInt64(z64)); appendLE(&tail, UInt32(1))
        }
        appendLE(&tail, UInt32(0x0605_4B50))
        appendLE(&tail, UInt16(0)); appendLE(&tail, UInt16(0))
        appendLE(&tail, UInt16(needs64 ? 0xFFFF : UInt16(written.count)))
        appendLE(&tail, UInt16(needs64 ? 0xFFFF : UInt16(written.count)))
        appendLE(&tail, UInt32(needs64 ? 0xFFFF_FFFF : UInt32(cdSize)))
        appendLE(&tail, UInt32(needs64 ? 0xFFFF_FFFF : UInt32(cdStart)))
        appendLE(&tail, UInt16(0))
        try put(tail)
    }
}
