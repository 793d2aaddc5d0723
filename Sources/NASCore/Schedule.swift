/// A training schedule: how many epochs a run was trained for, under the key the benchmark
/// file itself uses. NAS-Bench-201 records `12` and `200`; NATS-Bench's size space `01`, `12`
/// and `90`. Any positive epoch count is a schedule; which ones a benchmark has is the
/// benchmark's business (`SearchSpaceKind.schedules`, or the groups of a benchmark file).
///
///     Schedule(rawValue: "1") == Schedule(rawValue: "01")   // true: the key is "01"
///     Schedule.twoHundred.rawValue                          // "200"
public struct Schedule: Hashable, Sendable, Comparable, CustomStringConvertible, RawRepresentable, Codable {
    /// Training epochs.
    public let epochs: Int

    /// The epoch count, zero-padded to two digits (`01`, `12`, `90`, `200`): the spelling of
    /// the benchmark files' keys and of `--hp`.
    public var rawValue: String { epochs < 10 ? "0\(epochs)" : String(epochs) }
    public var description: String { rawValue }

    public init(epochs: Int) {
        precondition(epochs > 0, "a schedule trains for at least one epoch, not \(epochs)")
        self.epochs = epochs
    }

    /// Parses a key: decimal digits naming a positive epoch count (`1` is read as `01`).
    public init?(rawValue: String) {
        guard !rawValue.isEmpty, rawValue.count <= 6, rawValue.allSatisfy({ $0.isASCII && $0.isNumber }),
              let epochs = Int(rawValue), epochs > 0 else { return nil }
        self.epochs = epochs
    }

    public static let one = Schedule(epochs: 1)
    public static let twelve = Schedule(epochs: 12)
    public static let ninety = Schedule(epochs: 90)
    public static let twoHundred = Schedule(epochs: 200)

    /// The schedules of NAS-Bench-201 (its meta files, weight files and archive).
    public static let nasBench201: [Schedule] = SearchSpaceKind.topology.schedules

    /// The key of this schedule in a NAS-Bench-201 meta or weight file's top-level dict
    /// (`less` for 12 epochs, `full` for 200; any other schedule by its own key).
    public var fileKey: String {
        switch epochs {
        case 12: return "less"
        case 200: return "full"
        default: return rawValue
        }
    }

    /// A NAS-Bench-201 schedule named either way upstream does: by file key (`less`, `full`)
    /// or by epochs (`12`, `200`); nil for anything else.
    public init?(nasBench201 key: String) {
        guard let schedule = Schedule.nasBench201.first(where: { $0.fileKey == key || $0.rawValue == key }) else { return nil }
        self = schedule
    }

    public static func < (a: Schedule, b: Schedule) -> Bool { a.epochs < b.epochs }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let schedule = Schedule(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a schedule: '\(text)'"))
        }
        self = schedule
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
