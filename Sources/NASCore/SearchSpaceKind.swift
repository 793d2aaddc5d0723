/// The search spaces the benchmarks cover. `topology` is NAS-Bench-201's (NATS-Bench's `tss`):
/// a cell of six edges, each one of five operations, on a fixed network (C=16, N=5), 15,625
/// cells, indexed by `SearchSpace`. `size` is NATS-Bench's `sss`: a fixed cell with the
/// channel counts of the network's five stages chosen from 8, 16, ..., 64 (8^5 = 32,768
/// candidates, written `C1:C2:C3:C4:C5`, see `ChannelSizes`).
public enum SearchSpaceKind: String, CaseIterable, Sendable, Codable {
    case topology = "tss"
    case size = "sss"

    /// Number of candidates.
    public var count: Int {
        switch self {
        case .topology: return SearchSpace.count
        case .size: return ChannelSizes.count
        }
    }

    /// The training schedules the benchmark records for this space.
    public var schedules: [Schedule] {
        switch self {
        case .topology: return [.twelve, .twoHundred]
        case .size: return [.one, .twelve, .ninety]
        }
    }
}

/// One candidate of the size space: the output channels of its five stages, each a multiple
/// of 8 in 8...64, written `C1:C2:C3:C4:C5` (NATS-Bench's spelling, e.g. `64:64:64:64:64`).
public struct ChannelSizes: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The candidate channel counts of a stage.
    public static let choices = [8, 16, 24, 32, 40, 48, 56, 64]
    /// Number of stages whose width is searched.
    public static let stageCount = 5
    /// 8^5 candidates.
    public static let count = 32_768

    /// The five channel counts, in string order.
    public let channels: [Int]

    public init?(channels: [Int]) {
        guard channels.count == ChannelSizes.stageCount, channels.allSatisfy(ChannelSizes.choices.contains) else { return nil }
        self.channels = channels
    }

    /// Parses `C1:C2:C3:C4:C5` exactly (five decimal numbers from `choices`, no spaces).
    public init(_ string: String) throws {
        let parts = string.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == ChannelSizes.stageCount else {
            throw ChannelSizesParseError(input: string, reason: "expected \(ChannelSizes.stageCount) channel counts separated by ':', found \(parts.count)")
        }
        var channels: [Int] = []
        for part in parts {
            guard let c = Int(part), String(c) == part, ChannelSizes.choices.contains(c) else {
                throw ChannelSizesParseError(input: string, reason: "'\(part)' is not one of \(ChannelSizes.choices.map(String.init).joined(separator: ", "))")
            }
            channels.append(c)
        }
        self.channels = channels
    }

    public var description: String { channels.map(String.init).joined(separator: ":") }

    public init(from decoder: Decoder) throws { try self.init(try decoder.singleValueContainer().decode(String.self)) }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A malformed `C1:C2:C3:C4:C5` string.
public struct ChannelSizesParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public let input: String
    public let reason: String
    public var description: String { "invalid channel string \"\(input)\": \(reason)" }
}
