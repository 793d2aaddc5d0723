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
        var le = label.littleEndian
        withUnsafeBytes(of: &le) { hasher.update($0) }
        hasher.update(image)
        let d = hasher.finalize().bytes
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
