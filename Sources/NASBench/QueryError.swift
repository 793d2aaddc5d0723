/// Why a benchmark query has no answer. Upstream raises KeyError/AssertionError/ValueError
/// in these cases; nasdata names what is missing instead.
public enum QueryError: Error, Equatable, Sendable, CustomStringConvertible {
    case indexOutOfRange(Int)
    case notEvaluated(index: Int)
    case noSuchSchedule(String)
    case noSuchDataset(index: Int, dataset: String, available: [String])
    case noSuchSeed(index: Int, dataset: String, seed: Int, available: [Int])
    case epochOutOfRange(epoch: Int, epochs: Int)
    /// The trial has no value there (old-format trials evaluated some sets at the last epoch only).
    case notRecorded(index: Int, dataset: String, seed: Int, what: String, epoch: Int)
    case unknownMetric(String)
    case noLatency(index: Int, dataset: String, seed: Int)
    /// NATS-Bench: the seeds' FLOPs or params differ and there is no seed-888 run to take.
    case inconsistentCosts(index: Int, dataset: String, quantity: String, values: [Double], seeds: [Int])

    public var description: String {
        switch self {
        case .indexOutOfRange(let i): return "architecture index \(i) is outside the benchmark's search space"
        case .notEvaluated(let i): return "architecture \(i) has no results in this benchmark"
        case .noSuchSchedule(let hp): return "no training schedule '\(hp)' in this benchmark (NAS-Bench-201 / NATS tss: 12, 200; NATS sss: 01, 12, 90)"
        case let .noSuchDataset(i, d, available):
            return "architecture \(i) has no results on '\(d)' (it has: \(available.joined(separator: ", ")))"
        case let .noSuchSeed(i, d, s, available):
            return "architecture \(i) on \(d) has no run with seed \(s) (seeds: \(available.map(String.init).joined(separator: ", ")))"
        case let .epochOutOfRange(e, n): return "epoch \(e) is outside 0..<\(n)"
        case let .notRecorded(i, d, s, what, e):
            return "architecture \(i) on \(d), seed \(s): \(what) was not recorded at epoch \(e)"
        case .unknownMetric(let m): return "unknown metric set '\(m)' (use train, x-valid, x-test, ori-test, valid or test)"
        case let .noLatency(i, d, s): return "architecture \(i) on \(d), seed \(s) has no latency"
        case let .inconsistentCosts(i, d, q, values, seeds):
            let pairs = zip(seeds, values).map { "seed \($0): \($1)" }.joined(separator: ", ")
            return "architecture \(i) on \(d): the seeds' \(q) differ (\(pairs)) and there is no seed 888, "
                + "whose value NATS-Bench's API takes then (upstream raises ValueError)"
        }
    }
}
