
/// What defines one NAS-Bench-201 training network (upstream `TinyNetwork(C, N, genotype, num_classes)`).
///
/// Encodes to exactly the dict upstream's `get_cell_based_tiny_net` takes:
/// `{"name": "infer.tiny", "C": 16, "N": 5, "arch_str": "|...|", "num_classes": 10}`.
public struct NetworkConfig: Codable, Equatable, Sendable {
    /// Channels of the first stage (16 in NAS-Bench-201); stages use C, 2C, 4C.
    public var channels: Int
    /// Cells per stage (5 in NAS-Bench-201); the network has 3N + 2 cells.
    public var cellsPerStage: Int
    /// The cell, as an architecture string `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`.
    public var architecture: String
    /// Outputs of the classifier (10, 100 or 120 in NAS-Bench-201).
    public var classes: Int

    /// The network upstream trains for `architecture` on `dataset` (C=16, N=5).
    public init(architecture: Architecture, dataset: NB201Dataset) {
        self.init(architecture: architecture.description, classes: dataset.classCount)
    }

    public init(architecture: String, classes: Int, channels: Int = 16, cellsPerStage: Int = 5) {
        self.architecture = architecture
        self.classes = classes
        self.channels = channels
        self.cellsPerStage = cellsPerStage
    }

    /// The cell's six edges, parsed (throws NASBench's parse error on a malformed string).
    package func cell() throws -> CellStructure { CellStructure(try Architecture(architecture)) }

    /// Channels of stage 0, 1, 2.
    package var stageChannels: [Int] { [channels, 2 * channels, 4 * channels] }

    /// Index of every cell in `cells.*` that is a reduction block (N and 2N+1).
    package var reductionCells: [Int] { [cellsPerStage, 2 * cellsPerStage + 1] }

    package var cellCount: Int { 3 * cellsPerStage + 2 }

    enum CodingKeys: String, CodingKey {
        case name, channels = "C", cellsPerStage = "N", architecture = "arch_str", classes = "num_classes"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let name = try c.decodeIfPresent(String.self, forKey: .name) ?? "infer.tiny"
        guard name == "infer.tiny" else {
            throw DecodingError.dataCorruptedError(forKey: .name, in: c,
                debugDescription: "network name is \"\(name)\", only \"infer.tiny\" (TinyNetwork) is supported")
        }
        channels = try c.decode(Int.self, forKey: .channels)
        cellsPerStage = try c.decode(Int.self, forKey: .cellsPerStage)
        architecture = try c.decode(String.self, forKey: .architecture)
        classes = try c.decode(Int.self, forKey: .classes)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("infer.tiny", forKey: .name)
        try c.encode(channels, forKey: .channels)
        try c.encode(cellsPerStage, forKey: .cellsPerStage)
        try c.encode(architecture, forKey: .architecture)
        try c.encode(classes, forKey: .classes)
    }
}
