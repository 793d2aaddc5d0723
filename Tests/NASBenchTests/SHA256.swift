import Foundation
import CCrypto

/// Lower-case hex SHA-256 of `bytes` (libcrypto's one-shot digest).
func sha256Hex(_ bytes: [UInt8]) -> String {
    var digest = [UInt8](repeating: 0, count: 32)
    bytes.withUnsafeBufferPointer { buffer in
        var length: UInt32 = 0
        _ = EVP_Digest(buffer.baseAddress, buffer.count, &digest, &length, EVP_sha256(), nil)
    }
    return digest.map { String(format: "%02x", $0) }.joined()
}
