import NASDataIO

/// Reads a stream to its end in pieces of `piece` bytes (the tests' way of seeing every byte).
func readAll(_ stream: ByteStream, piece: Int = 1 << 16) throws -> [UInt8] {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: piece)
    while true {
        let n = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
        if n == 0 { return out }
        out += buffer[0..<n]
    }
}
