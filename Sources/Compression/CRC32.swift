import CZlib

/// CRC-32 (zip's checksum) through zlib.
public struct CRC32 {
    public private(set) var value: UInt32 = 0

    public init() {}

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buf in
            value = UInt32(crc32(uLong(value), buf.baseAddress, uInt(buf.count)))
        }
    }

    public static func of(_ bytes: [UInt8]) -> UInt32 {
        var c = CRC32()
        c.update(bytes)
        return c.value
    }
}
