/// The checksum hidden in a benchmark file's name.
///
/// NATS-Bench computes its 5-hex suffix as the last 5 hex digits of the whole
/// file's MD5 (`xautodl/utils/hash_utils.py`). For NAS-Bench-201/102 the 6-hex
/// suffix is described upstream only as "the last six digits" of the hash; that it
/// is the MD5's last 6 is inferred, and the rule text says so.
public struct ChecksumSuffix: Sendable, Equatable {
    public enum Family: String, Sendable {
        case nasBench201 = "NAS-Bench-201"
        case nasBench102 = "NAS-Bench-102"
        case natsBench = "NATS-Bench"
    }

    public let family: Family
    /// Lowercase hex suffix taken from the name.
    public let suffix: String

    /// Human-readable rule, stating whether it is documented or inferred.
    public var rule: String {
        switch family {
        case .natsBench:
            return "name suffix = last 5 hex of md5"
        case .nasBench201, .nasBench102:
            return "name suffix = last 6 hex of md5 (inferred rule)"
        }
    }

    public var kind: String {
        family == .natsBench ? "NATS-Bench benchmark file" : "\(family.rawValue) meta file"
    }

    public func matches(md5 hex: String) -> Bool { hex.hasSuffix(suffix) }

    /// Recognises `NAS-Bench-201-v1_0-e61699.pth`, `NAS-Bench-102-v1_0-e61699.pth`,
    /// `NAS-Bench-201-v1_1-096897.pth` and NATS-Bench files such as
    /// `NATS-tss-v1_0-3ffb9.pickle.pbz2`. Nil for any other name.
    public static func parse(fileName: String) -> ChecksumSuffix? {
        if let s = parseNB201(fileName) { return s }
        return parseNATS(fileName)
    }

    private static func parseNB201(_ name: String) -> ChecksumSuffix? {
        // NAS-Bench-<201|102>-v<major>_<minor>-<6 hex>.pth
        guard name.hasSuffix(".pth") else { return nil }
        let parts = name.dropLast(4).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "NAS", parts[1] == "Bench", isVersion(parts[3]),
              isHex(parts[4], count: 6) else { return nil }
        switch parts[2] {
        case "201": return ChecksumSuffix(family: .nasBench201, suffix: parts[4].lowercased())
        case "102": return ChecksumSuffix(family: .nasBench102, suffix: parts[4].lowercased())
        default: return nil
        }
    }

    private static func parseNATS(_ name: String) -> ChecksumSuffix? {
        // NATS-<tss|sss>-v<major>_<minor>-<5 hex>.pickle[.pbz2]
        var stem = Substring(name)
        for ext in [".pickle.pbz2", ".pickle"] where stem.hasSuffix(ext) {
            stem = stem.dropLast(ext.count)
            break
        }
        guard stem.count < name.count else { return nil }
        let parts = stem.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "NATS", parts[1] == "tss" || parts[1] == "sss",
              isVersion(parts[2]), isHex(parts[3], count: 5) else { return nil }
        return ChecksumSuffix(family: .natsBench, suffix: parts[3].lowercased())
    }

    private static func isVersion(_ s: Substring) -> Bool {
        guard s.first == "v" else { return false }
        let nums = s.dropFirst().split(separator: "_", omittingEmptySubsequences: false)
        return nums.count == 2 && nums.allSatisfy { !$0.isEmpty && $0.allSatisfy { ("0"..."9").contains($0) } }
    }

    private static func isHex(_ s: Substring, count: Int) -> Bool {
        s.count == count && s.allSatisfy { $0.isASCII && $0.isHexDigit }
    }
}
