#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NASCore

/// Which benchmark's weight files an archive packs; an archive holds the runs of one
/// benchmark and one search space (root attributes `benchmark`, `search_space`).
///
/// - NAS-Bench-201: `{index:06d}-FULL.pth` (torch.save of `{'full': ..., 'less': ...}`), topology space.
/// - NATS-Bench: `{index:06d}.pickle.pbz2` of a `NATS-tss-*-full` or `NATS-sss-*-full` folder
///   (bz2 pickle of `OrderedDict{hp: ArchResults.state_dict()}`, tensors via `_load_from_bytes`);
///   the folder's `meta.pickle.pbz2` is not a run file and is passed over.
public enum WeightFiles: Sendable, Equatable, CustomStringConvertible {
    case nasBench201
    case nats(SearchSpaceKind)

    public var space: SearchSpaceKind {
        switch self {
        case .nasBench201: return .topology
        case .nats(let space): return space
        }
    }

    /// The `benchmark` attribute of the archive.
    public var benchmark: String {
        switch self {
        case .nasBench201: return "nas-bench-201"
        case .nats: return "nats-bench"
        }
    }

    public var description: String {
        switch self {
        case .nasBench201: return "NAS-Bench-201 FULL files"
        case .nats(let space): return "NATS-Bench \(space.rawValue) full files"
        }
    }

    /// From the archive's attributes (an archive of schema version 1 has none: NAS-Bench-201).
    public init?(benchmark: String?, space: String?) {
        var kind = SearchSpaceKind.topology
        if let space {
            guard let k = SearchSpaceKind(rawValue: space) else { return nil }
            kind = k
        }
        switch benchmark ?? "nas-bench-201" {
        case "nas-bench-201" where kind == .topology: self = .nasBench201
        case "nats-bench": self = .nats(kind)
        default: return nil
        }
    }

    /// The input files' own suffix (a directory's other files are not inputs).
    var fileSuffix: String {
        switch self {
        case .nasBench201: return ".pth"
        case .nats: return ".pickle.pbz2"
        }
    }

    /// What a run file is called, for errors.
    var memberPattern: String {
        switch self {
        case .nasBench201: return "{index:06d}-FULL.pth, index < 15625"
        case .nats(let space): return "{index:06d}.pickle.pbz2, index < \(space.count)"
        }
    }

    /// The architecture index a member's name gives (possibly under a directory inside a tar);
    /// nil for a name that is not a run file.
    func archIndex(of name: String) -> Int? {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        let suffix = self == .nasBench201 ? "-FULL.pth" : ".pickle.pbz2"
        guard base.hasSuffix(suffix) else { return nil }
        let digits = base.dropLast(suffix.count)
        guard digits.count == 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let i = Int(digits), i < space.count else { return nil }
        return i
    }

    /// A member that belongs to the input but holds no runs (NATS-Bench's `meta.pickle.pbz2`).
    func isAuxiliary(_ name: String) -> Bool {
        guard case .nats = self else { return false }
        return (name.split(separator: "/").last.map(String.init) ?? name) == "meta.pickle.pbz2"
    }

    /// What the input paths are, by their names: a path whose last component starts with
    /// `NATS-tss` or `NATS-sss` (the folder, the `-full.tar`, its parts `-full.taraa`, ...)
    /// is NATS-Bench of that space; otherwise NAS-Bench-201, unless a directory holds
    /// `.pickle.pbz2` files and no `.pth` (then the space is not known: an error).
    public static func detect(_ paths: [String]) throws -> WeightFiles {
        var found: Set<SearchSpaceKind> = []
        for path in paths {
            var trimmed = Substring(path)
            while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
            let base = trimmed.split(separator: "/").last.map(String.init) ?? String(trimmed)
            for space in SearchSpaceKind.allCases where base.hasPrefix("NATS-\(space.rawValue)") { found.insert(space) }
        }
        if found.count > 1 {
            throw ArchiveError.invalidArgument("the inputs name both NATS-Bench spaces (NATS-tss-* and NATS-sss-*); an archive holds one space")
        }
        if let space = found.first { return .nats(space) }
        if paths.count == 1, let names = try? MemberSource.listFiles(paths[0], suffix: ".pickle.pbz2"), !names.isEmpty,
           (try? MemberSource.listFiles(paths[0], suffix: ".pth"))?.isEmpty ?? true {
            throw ArchiveError.invalidArgument("\(paths[0]): holds NATS-Bench .pickle.pbz2 files, but its name does not say the space "
                                               + "(NATS-tss-... or NATS-sss-...): give --space tss or --space sss")
        }
        return .nasBench201
    }
}
