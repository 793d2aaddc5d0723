/// Complete checks of the stream formats this module reads (for `nasdata verify` on
/// files it recognises by content): every byte is read, in bounded memory, and
/// everything the format records about itself is compared.
public enum StreamVerification {
    /// A gzip file: every member inflated, its CRC-32 and length (ISIZE) checked by zlib,
    /// only zero padding after the last member. Returns the decompressed size.
    public static func gzip(path: String) throws -> Int64 {
        let gz = try GzipReader(path: path)
        try drain(gz)
        return gz.offset
    }

    /// A bzip2 file: every stream decompressed, each block's CRC and each stream's combined
    /// CRC checked by libbz2, nothing after the last stream, and no more output than
    /// `Bzip2Reader.defaultCap` (the bomb guard). Returns the decompressed size.
    public static func bzip2(path: String) throws -> Int64 {
        let bz = try Bzip2Reader(path: path)
        try drain(bz)
        return bz.offset
    }

    /// A tar archive, plain or gzip-compressed: every header's checksum, every member's
    /// data present (its size's worth), the end-of-archive marker, and only zero blocks
    /// after it (for a `.tar.gz`, the gzip checks above as well).
    public static func tar(path: String) throws -> (members: Int, dataBytes: Int64) {
        let tar = try TarReader(path: path)
        var members = 0
        var bytes: Int64 = 0
        while let entry = try tar.next() {
            members += 1
            bytes += entry.size
        }
        // After the marker: zero blocks (records are padded to 10 KiB), then the end.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let at = tar.source.offset
            let got = try tar.source.read(into: buffer)
            if got == 0 { break }
            if let bad = buffer[0..<got].firstIndex(where: { $0 != 0 }) {
                throw IOError.malformed(path: path, offset: at + Int64(bad),
                                        reason: "non-zero bytes after the tar end-of-archive marker (damaged or concatenated archive)")
            }
        }
        return (members, bytes)
    }

    /// True if the first block of the (decompressed) stream at `path` carries the
    /// ustar/GNU magic at byte 257: a `.tar.gz` by content.
    public static func gzipHoldsTar(path: String) -> Bool {
        guard let gz = try? GzipReader(path: path) else { return false }
        var block = [UInt8](repeating: 0, count: 512)
        guard (try? block.withUnsafeMutableBytes({ try gz.readExactly(into: $0, what: "first tar block") })) == true else {
            return false
        }
        return Array(block[257..<262]) == Array("ustar".utf8)
    }

    static func drain(_ stream: ByteStream) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while try stream.read(into: buffer) > 0 {}
    }
}
