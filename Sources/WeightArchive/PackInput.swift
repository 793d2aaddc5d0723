import Tensors

/// One run decoded from a FULL file, ready to pack.
public struct RunRecord {
    /// 12 (`less`) or 200 (`full`).
    public var hp: Int
    public var dataset: String
    public var seed: Int
    public var stateDict: StateDict
    /// UTF-8 JSON of the run's non-weight results (the ResultsCount-dict without `net_state_dict`).
    public var resultsJSON: [UInt8]

    public init(hp: Int, dataset: String, seed: Int, stateDict: StateDict, resultsJSON: [UInt8]) {
        self.hp = hp
        self.dataset = dataset
        self.seed = seed
        self.stateDict = stateDict
        self.resultsJSON = resultsJSON
    }
}

/// One input FULL file and the runs it holds.
public struct SourceRecord {
    /// The member name as found (file name in a directory, path inside a tar).
    public var name: String
    public var size: Int64
    public var md5: [UInt8]
    public var archIndex: Int
    public var archStr: String
    public var runs: [RunRecord]

    public init(name: String, size: Int64, md5: [UInt8], archIndex: Int, archStr: String, runs: [RunRecord]) {
        self.name = name
        self.size = size
        self.md5 = md5
        self.archIndex = archIndex
        self.archStr = archStr
        self.runs = runs
    }
}
