import NASCore
/// Upstream's ArchResults queries (`get_metrics`, `get_compute_costs`, `get_latency`) with
/// the same averaging (numpy's) and the same failure cases, as typed errors.
extension ArchResults {
    /// The runs on `dataset` in seed order.
    public func runs(on dataset: String) throws -> [(seed: Int, result: ResultsCount)] {
        guard let seeds = seeds(of: dataset) else {
            throw QueryError.noSuchDataset(index: archIndex, dataset: dataset, available: datasetNames)
        }
        return try seeds.map { seed in
            guard let r = results[RunKey(dataset, seed)] else {
                throw QueryError.noSuchSeed(index: archIndex, dataset: dataset, seed: seed, available: seeds)
            }
            return (seed, r)
        }
    }

    /// `get_metrics(dataset, setname, iepoch, is_random)`: `set` is `train`, `x-valid`, `x-test`,
    /// `ori-test` (or `valid`). Like upstream, every seed's value is read first, so a seed that
    /// lacks the epoch fails the query even when another seed is asked for.
    public func metric(dataset: String, set: String, epoch: Int? = nil, seeds selection: SeedSelection = .mean) throws -> Metric {
        let runs = try runs(on: dataset)
        let values: [Metric] = try runs.map { seed, r in
            set == "train" ? try r.train(epoch: epoch, archIndex: archIndex, seedKey: seed)
                : try r.eval(set, epoch: epoch, archIndex: archIndex, seedKey: seed)
        }
        switch selection {
        case .seed(let s):
            guard let i = runs.firstIndex(where: { $0.seed == s }) else {
                throw QueryError.noSuchSeed(index: archIndex, dataset: dataset, seed: s, available: runs.map(\.seed))
            }
            return values[i]
        case .mean:
            func meanOrNil(_ xs: [Double?]) -> Double? {
                guard xs.first! != nil, xs.allSatisfy({ $0 != nil }) else { return nil }
                return NumpyReduction.mean(xs.map { $0! })
            }
            return Metric(epoch: values[0].epoch,
                          loss: NumpyReduction.mean(values.map(\.loss)),
                          accuracy: NumpyReduction.mean(values.map(\.accuracy)),
                          epochTime: meanOrNil(values.map(\.epochTime)),
                          totalTime: meanOrNil(values.map(\.totalTime)))
        }
    }

    /// `get_compute_costs(dataset)`: FLOPs and params of the seeds by `costRule` (the mean, or
    /// NATS-Bench's seed-888 fix), mean latency over the seeds that have one (nil if none), and
    /// the mean of each `get_times()` entry.
    public func computeCosts(dataset: String) throws -> CostInfo {
        let seeded = try runs(on: dataset)
        let runs = seeded.map(\.result), seeds = seeded.map(\.seed)
        let latencies = runs.compactMap(\.meanLatency).filter { $0 > 0 }
        var keys: [String] = []
        var collected: [String: [Double?]] = [:]
        for r in runs {
            for (key, value) in r.timeSummary {
                if collected[key] == nil { keys.append(key) }
                collected[key, default: []].append(value)
            }
        }
        let times: [(key: String, value: Double?)] = keys.map { key in
            let values = collected[key]!
            guard values.first! != nil, values.allSatisfy({ $0 != nil }) else { return (key, nil) }
            return (key, NumpyReduction.mean(values.map { $0! }))
        }
        return CostInfo(flops: try costRule.combine(runs.map(\.flop), seeds: seeds, quantity: "FLOPs", index: archIndex, dataset: dataset),
                        params: try costRule.combine(runs.map(\.params), seeds: seeds, quantity: "params", index: archIndex, dataset: dataset),
                        latency: latencies.isEmpty ? nil : NumpyReduction.mean(latencies), times: times)
    }

    /// `computeCosts`, or nil and the reason where NATS-Bench's API has no costs to give (the
    /// seeds' FLOPs or params disagree and none is 888) and its other answers still stand.
    public func costsIfAnswered(dataset: String) throws -> (costs: CostInfo?, unavailable: String?) {
        do { return (try computeCosts(dataset: dataset), nil) } catch let e as QueryError {
            guard case .inconsistentCosts = e else { throw e }
            return (nil, "\(e)")
        }
    }

    /// `get_latency(dataset)`: the plain mean of every seed's latency; an error if one lacks it.
    public func latency(dataset: String) throws -> Double {
        let runs = try runs(on: dataset)
        var values: [Double] = []
        for (seed, r) in runs {
            guard let l = r.meanLatency, l > 0 else { throw QueryError.noLatency(index: archIndex, dataset: dataset, seed: seed) }
            values.append(l)
        }
        return values.reduce(0, +) / Double(values.count)
    }

    /// Number of epochs of the schedule these results come from.
    public var epochs: Int? { results.values.first?.epochs }
}

/// `get_compute_costs`: costs averaged over seeds, in the benchmark's units (MFLOPs, M params,
/// seconds), plus the time summary (`T-train@epoch`, ...).
public struct CostInfo: Equatable, Sendable {
    public var flops: Double
    public var params: Double
    public var latency: Double?
    public var times: [(key: String, value: Double?)]

    public static func == (a: CostInfo, b: CostInfo) -> Bool {
        a.flops == b.flops && a.params == b.params && a.latency == b.latency
            && a.times.map(\.key) == b.times.map(\.key) && a.times.map(\.value) == b.times.map(\.value)
    }
}
