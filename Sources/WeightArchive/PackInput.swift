import Checksums
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
    /// SHA-256 of the run's bytes as `/blob` stores them (`storedDigest()`), when
    /// computed ahead (on a decoding thread); otherwise the writer hashes while appending.
    public var sha256: [UInt8]?

    public init(hp: Int, dataset: String, seed: Int, stateDict: StateDict, resultsJSON: [UInt8]) {
        self.hp = hp
        self.dataset = dataset
        self.seed = seed
        self.stateDict = stateDict
        self.resultsJSON = resultsJSON
    }
}

extension RunRecord {
    /// SHA-256 of the run's bytes as the archive lays them out: each tensor at the next
    /// multiple of `ArchiveLayout.wordSize` (zero padding) from the run's start, and
    /// zero padding after the last tensor up to that multiple. Runs start 8-aligned in
    /// `/blob`, so this equals the hash of the run's byte range there.
    public func storedDigest() -> [UInt8] {
        let sha = SHA256()
        let zeros = [UInt8](repeating: 0, count: ArchiveLayout.wordSize)
        var position = 0
        func pad() {
            let n = (ArchiveLayout.wordSize - position % ArchiveLayout.wordSize) % ArchiveLayout.wordSize
            if n > 0 { zeros.withUnsafeBytes { sha.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) } }
            position += n
        }
        for (_, tensor) in stateDict.entries {
            pad()
            tensor.bytes.withUnsafeBytes { sha.update($0) }
            position += tensor.bytes.count
        }
        pad()
        return sha.finalize().bytes
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
