/// Loss, top-1 accuracy and time of one set at one epoch: upstream's `get_train` /
/// `get_eval` / `get_metrics` dict (`iepoch`, `loss`, `accuracy`, `cur_time`, `all_time`).
public struct Metric: Equatable, Sendable, Codable {
    public var epoch: Int
    public var loss: Double
    public var accuracy: Double
    /// Time of that epoch (`cur_time`), nil when the trial has no times.
    public var epochTime: Double?
    /// Time of epochs 0...epoch summed (`all_time`).
    public var totalTime: Double?
}

/// Which runs a metric is taken from: upstream's `is_random=False` (mean over seeds) or an int seed.
public enum SeedSelection: Equatable, Sendable {
    case mean
    case seed(Int)
}

/// A metric set as upstream's `get_metrics` takes it: `train` or an evaluation set name.
/// `valid` is accepted and read as `x-valid`, as upstream does.
extension ResultsCount {
    /// `get_train(iepoch)`: nil epoch = last.
    public func train(epoch: Int?, archIndex: Int = -1, seedKey: Int = -1) throws -> Metric {
        let e = try resolve(epoch)
        func need(_ series: EpochSeries, _ what: String) throws -> Double {
            guard let v = series[e] else {
                throw QueryError.notRecorded(index: archIndex, dataset: dataset, seed: seedKey, what: what, epoch: e)
            }
            return v
        }
        var epochTime: Double?, totalTime: Double?
        if let times = trainTimes {
            epochTime = try need(times, "train time")
            var sum = 0.0
            for i in 0...e {
                guard let t = times[i] else {
                    throw QueryError.notRecorded(index: archIndex, dataset: dataset, seed: seedKey, what: "train time", epoch: i)
                }
                sum += t
            }
            totalTime = sum
        }
        return Metric(epoch: e, loss: try need(trainLoss, "train loss"), accuracy: try need(trainAcc1, "train accuracy"),
                      epochTime: epochTime, totalTime: totalTime)
    }

    /// `get_eval(name, iepoch)`: nil epoch = last; `valid` means `x-valid`.
    public func eval(_ set: String, epoch: Int?, archIndex: Int = -1, seedKey: Int = -1) throws -> Metric {
        let name = set == "valid" ? "x-valid" : set
        let e = try resolve(epoch)
        func missing(_ what: String, _ at: Int) -> QueryError {
            .notRecorded(index: archIndex, dataset: dataset, seed: seedKey, what: "\(name) \(what)", epoch: at)
        }
        var epochTime: Double?, totalTime: Double?
        // Upstream reads times whenever eval_times is a non-empty dict, for any set.
        if evalTimes.values.contains(where: { !$0.isEmpty }) {
            guard let times = evalTimes[name], let t = times[e] else { throw missing("time", e) }
            epochTime = t
            var sum = 0.0
            for i in 0...e {
                guard let ti = times[i] else { throw missing("time", i) }
                sum += ti
            }
            totalTime = sum
        }
        guard let loss = evalLoss[name]?[e] else { throw missing("loss", e) }
        guard let accuracy = evalAcc1[name]?[e] else { throw missing("accuracy", e) }
        return Metric(epoch: e, loss: loss, accuracy: accuracy, epochTime: epochTime, totalTime: totalTime)
    }

    /// `get_latency()`: mean of the latency list, nil when the file has None.
    public var meanLatency: Double? {
        guard let latency, !latency.isEmpty else { return nil }
        return latency.reduce(0, +) / Double(latency.count)
    }

    /// `get_times()`: `T-train@epoch`, `T-train@total`, then `T-<set>@epoch` / `T-<set>@total` per
    /// evaluation set, in that order; nil where the trial has no (complete) times.
    public var timeSummary: [(key: String, value: Double?)] {
        var out: [(String, Double?)] = []
        if let times = trainTimes, times.isComplete {
            let values = times.values.map { $0! }
            out.append(("T-train@epoch", NumpyReduction.mean(values)))
            out.append(("T-train@total", NumpyReduction.sum(values)))
        } else {
            out.append(("T-train@epoch", nil)); out.append(("T-train@total", nil))
        }
        for name in evalNames {
            if let times = evalTimes[name], times.count == epochs, times.isComplete {
                let values = times.values.map { $0! }
                out.append(("T-\(name)@epoch", NumpyReduction.mean(values)))
                out.append(("T-\(name)@total", NumpyReduction.sum(values)))
            } else {
                out.append(("T-\(name)@epoch", nil)); out.append(("T-\(name)@total", nil))
            }
        }
        return out
    }

    private func resolve(_ epoch: Int?) throws -> Int {
        let e = epoch ?? epochs - 1
        guard (0..<epochs).contains(e) else { throw QueryError.epochOutOfRange(epoch: e, epochs: epochs) }
        return e
    }
}
