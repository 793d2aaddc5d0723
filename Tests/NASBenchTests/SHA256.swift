import Checksums

/// Lower-case hex SHA-256 of `bytes`.
func sha256Hex(_ bytes: [UInt8]) -> String { SHA256.hash(bytes).hex }
