import Checksums

/// The order-independent content digest of an image set, `sha256-sum256`:
///
///     record_digest(i) = SHA-256( label_i as int64 little-endian || image_i bytes )
///     set_digest       = ( sum over i of record_digest(i) read as a 256-bit
///                          big-endian unsigned integer ) mod 2^256, as 64 hex digits
///
/// `image_i bytes` are the stored uint8 pixels, H x W x 3 in row-major (HWC) order,
/// exactly as they sit in the `images` dataset. The original index is *not* part of
/// the record, so two builds holding the same (label, image) multiset agree whatever
/// their order (a rebuild from ImageNet JPEGs cannot reproduce the upstream shuffle).
/// A sum, unlike XOR, does not cancel duplicated records. It needs O(1) memory.
///
/// In Python: `sum(int.from_bytes(hashlib.sha256(np.int64(l).tobytes() +
/// img.tobytes()).digest(), "big") for l, img in zip(labels, images)) % 2**256`,
/// printed with `"%064x"`.
public struct ImageSetDigest {
    public static let algorithm = "sha256-sum256"

    // 256-bit accumulator, most significant limb first.
    private var limbs: [UInt64] = [0, 0, 0, 0]
    private let hasher = SHA256()
    public private(set) var count: Int = 0

    public init() {}

    /// Adds one record; `image` is H*W*3 bytes in HWC order.
    public mutating func add(label: Int64, image: UnsafeRawBufferPointer) {
        var d = [UInt8](repeating: 0, count: 32)
        d.withUnsafeMutableBytes { Self.recordDigest(label: label, image: image, hasher: hasher, into: $0) }
        d.withUnsafeBytes { add(recordDigest: $0) }
    }

    /// Adds a record by its precomputed `recordDigest` (32 bytes), so a builder that
    /// puts one original record into several sets hashes it once.
    public mutating func add(recordDigest d: UnsafeRawBufferPointer) {
        precondition(d.count == 32)
        var carry: UInt64 = 0
        for limb in stride(from: 3, through: 0, by: -1) {
            var word: UInt64 = 0
            for b in d[(limb * 8)..<(limb * 8 + 8)] { word = word << 8 | UInt64(b) }
            let (s1, o1) = limbs[limb].addingReportingOverflow(word)
            let (s2, o2) = s1.addingReportingOverflow(carry)
            limbs[limb] = s2
            carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        count += 1
    }

    /// SHA-256(label as int64 LE || image) of every record of a batch, 32 bytes each.
    public static func recordDigests(labels: [Int64], images: [UInt8]) -> [UInt8] {
        guard !labels.isEmpty else { return [] }
        let size = images.count / labels.count
        let hasher = SHA256()
        var out = [UInt8](repeating: 0, count: 32 * labels.count)
        images.withUnsafeBytes { raw in
            out.withUnsafeMutableBytes { dst in
                for (i, label) in labels.enumerated() {
                    recordDigest(label: label, image: UnsafeRawBufferPointer(rebasing: raw[(i * size)..<((i + 1) * size)]),
                                 hasher: hasher, into: UnsafeMutableRawBufferPointer(rebasing: dst[(i * 32)..<((i + 1) * 32)]))
                }
            }
        }
        return out
    }

    /// Adds records whose digests `recordDigests` computed.
    public mutating func add(recordDigests: [UInt8]) {
        recordDigests.withUnsafeBytes { raw in
            for i in 0..<(raw.count / 32) { add(recordDigest: UnsafeRawBufferPointer(rebasing: raw[(i * 32)..<((i + 1) * 32)])) }
        }
    }

    private static func recordDigest(label: Int64, image: UnsafeRawBufferPointer, hasher: SHA256, into out: UnsafeMutableRawBufferPointer) {
        var le = label.littleEndian
        withUnsafeBytes(of: &le) { hasher.update($0) }
        hasher.update(image)
        let bytes = hasher.finalize().bytes
        out.copyBytes(from: bytes)
    }

    public mutating func add(label: Int64, image: [UInt8]) {
        image.withUnsafeBytes { add(label: label, image: $0) }
    }

    /// Adds records `0 ..< labels.count` of a batch of images stored back to back.
    public mutating func add(labels: [Int64], images: [UInt8]) {
        guard !labels.isEmpty else { return }
        let size = images.count / labels.count
        images.withUnsafeBytes { raw in
            for (i, label) in labels.enumerated() {
                add(label: label, image: UnsafeRawBufferPointer(rebasing: raw[(i * size)..<((i + 1) * size)]))
            }
        }
    }

    /// Combines two partial digests (e.g. from worker threads): sums commute.
    public mutating func merge(_ other: ImageSetDigest) {
        var carry: UInt64 = 0
        for limb in stride(from: 3, through: 0, by: -1) {
            let (s1, o1) = limbs[limb].addingReportingOverflow(other.limbs[limb])
            let (s2, o2) = s1.addingReportingOverflow(carry)
            limbs[limb] = s2
            carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        count += other.count
    }

    /// 64 lower-case hex digits.
    public var hex: String {
        limbs.map { limb in
            let s = String(limb, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }.joined()
    }
}
