/// The verdict on one file.
public enum Outcome: String, Codable, Sendable {
    /// The strongest available evidence says the file is what it claims to be.
    case ok
    /// It is not (truncated, corrupt, swapped, an HTML page, wrong structure).
    case failed
    /// Nothing could be checked: no rule applies, or the rule's module is not available.
    case unchecked
}

/// One row of `nasdata verify`'s table / one object of its `--json` output.
public struct FileReport: Codable, Sendable, Equatable {
    public var path: String
    /// What the file is taken to be ("CIFAR-10 batch", "NAS-Bench-201 meta file", ...).
    public var kind: String
    /// The rule applied, in words, including whether it is documented or inferred.
    public var rule: String
    public var outcome: Outcome
    /// Why, in one line: the mismatch, the computed digest, the missing key.
    public var detail: String
    public var size: Int64?
    public var md5: String?
    public var sha256: String?

    enum CodingKeys: String, CodingKey {
        case path, kind, rule, outcome = "result", detail, size, md5, sha256
    }

    public init(path: String, kind: String, rule: String, outcome: Outcome = .unchecked, detail: String = "",
                size: Int64? = nil, md5: String? = nil, sha256: String? = nil) {
        self.path = path
        self.kind = kind
        self.rule = rule
        self.outcome = outcome
        self.detail = detail
        self.size = size
        self.md5 = md5
        self.sha256 = sha256
    }

    mutating func fail(_ why: String) { outcome = .failed; detail = why }
    mutating func pass(_ why: String) { outcome = .ok; detail = why }
    mutating func skip(_ why: String) { outcome = .unchecked; detail = why }
}

/// Counts for the one-line summary and the exit status.
public struct VerifySummary: Codable, Sendable, Equatable {
    public var files = 0
    public var ok = 0
    public var failed = 0
    public var unchecked = 0

    public init(_ reports: [FileReport]) {
        files = reports.count
        for r in reports {
            switch r.outcome {
            case .ok: ok += 1
            case .failed: failed += 1
            case .unchecked: unchecked += 1
            }
        }
    }

    public var line: String {
        var s = "\(files) file\(files == 1 ? "" : "s"): \(ok) ok, \(failed) FAILED, \(unchecked) unchecked"
        if failed == 0 && unchecked == 0 && files > 0 { s += " - all verified" }
        return s
    }
}
