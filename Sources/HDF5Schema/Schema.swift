import Tensors

/// A versioned description of what an HDF5 file nasdata writes must contain:
/// groups, datasets (element type, rank, shape constraints) and attributes.
/// Stored as `Schemas/<name>.v<version>.json`; the format is documented in
/// `Schemas/README.md` and `Schemas/meta-schema.json`.
public struct Schema: Equatable, Sendable {
    /// The value of the root attribute `nasdata_schema` in files following this schema.
    public var name: String
    /// The value of the root attribute `nasdata_schema_version`.
    public var version: Int
    public var description: String
    /// The root group.
    public var root: GroupSpec
}

/// What a group must contain.
public struct GroupSpec: Equatable, Sendable {
    public var attributes: [String: AttributeSpec]
    public var members: [MemberSpec]
    /// Whether members no `MemberSpec` matches are allowed.
    public var additionalMembers: Bool
}

/// One member (or, with a pattern, a family of members) of a group.
public struct MemberSpec: Equatable, Sendable {
    public enum Selector: Equatable, Sendable {
        case name(String)
        /// A regular expression matched against whole member names.
        case pattern(String)
    }
    public enum Kind: Equatable, Sendable {
        case group(GroupSpec)
        case dataset(DatasetSpec)
        /// An external link, checked without being followed.
        case externalLink(targetPath: String?)
    }
    public var selector: Selector
    public var kind: Kind
    /// For a name: whether it must exist. For a pattern: at least one match needed
    /// when `minCount` is nil and this is true.
    public var required: Bool
    /// For patterns: how many members must / may match.
    public var minCount: Int?
    public var maxCount: Int?
}

/// What a dataset must look like.
public struct DatasetSpec: Equatable, Sendable {
    /// Allowed element types: dtype names ("float32", ...) and/or "string".
    public var dtypes: [String]
    public var rank: Int?
    /// Per-dimension fixed size, or nil = any.
    public var shape: [Int?]?
    /// Per-dimension lower bound, or nil = any.
    public var minShape: [Int?]?
    /// A sibling (relative to the parent group) or absolute path whose first
    /// dimension this dataset's first dimension must equal.
    public var sameFirstDimensionAs: String?
    /// nil: not checked.
    public var chunked: Bool?
    /// nil: not checked; true: the deflate filter must be present.
    public var compressed: Bool?
    public var attributes: [String: AttributeSpec]
}

/// What an attribute must be.
public struct AttributeSpec: Equatable, Sendable {
    /// int, double, number (int or double), string, ints, doubles, numbers, strings.
    public var type: String
    public var required: Bool
    /// If set, the value must be one of these (scalars only; compared as text).
    public var values: [String]?
    /// For 1-D types: the exact length, if fixed.
    public var length: Int?

    public static let types: Set<String> = ["int", "double", "number", "string", "ints", "doubles", "numbers", "strings"]
}

/// One way a file differs from its schema.
public struct Deviation: Equatable, Sendable, CustomStringConvertible {
    /// The object in the file ("/a/b", or "/a/b@attr" for an attribute).
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
