import NASBench
import NASCore

/// One simulated evaluation of a run, in the order the algorithm made it.
public struct Evaluation: Sendable, Equatable {
    /// Benchmark index of the evaluated architecture.
    public var index: Int
    /// The reward the search saw (valid accuracy of the drawn trial, in %).
    public var reward: Double
    /// Simulated seconds this evaluation cost, and the run's total after it (`total_time`).
    public var cost: Double
    public var totalTime: Double
    /// Index of the best architecture so far (highest reward, first on ties).
    public var bestIndex: Int
    /// Epochs of the proxy schedule this evaluation trained (BOHB's budgets; the full proxy otherwise).
    public var epochs: Int
}

/// One complete run: its seed, every evaluation, and the reported result.
public struct SearchRun: Sendable {
    public var seed: Int
    public var evaluations: [Evaluation]
    /// Evaluations counted for the result: those that started within the time budget (all of them
    /// for the budget-stopped algorithms; BOHB's trajectory is cut there).
    public var counted: Int
    /// The best architecture among the counted evaluations and its reported test accuracy.
    public var bestIndex: Int
    public var finalTestAccuracy: Double
}

/// A run in progress: upstream's `api.reset_time()` + `simulate_train_eval` bookkeeping and the
/// best-so-far trace (`current_best_index`).
struct RunRecorder {
    let bench: SimulatedBenchmark
    var random: PythonRandom
    var evaluations: [Evaluation] = []
    var totalTime = 0.0
    var bestIndex = -1
    var bestReward = -Double.infinity

    init(bench: SimulatedBenchmark, seed: Int) {
        self.bench = bench
        random = PythonRandom(seed: seed)
    }

    /// Evaluates `index` (at `epoch`, nil = last) and records it; returns the reward.
    @discardableResult
    mutating func evaluate(_ index: Int, epoch: Int? = nil) throws -> Double {
        let (reward, cost) = try bench.evaluate(index, epoch: epoch, random: &random)
        totalTime += cost
        if bestIndex < 0 || bestReward < reward { bestIndex = index; bestReward = reward }
        evaluations.append(Evaluation(index: index, reward: reward, cost: cost, totalTime: totalTime,
                                      bestIndex: bestIndex, epochs: (epoch ?? bench.epochs - 1) + 1))
        return reward
    }

    /// Upstream's loop condition: nothing evaluated yet, or the last total below the budget.
    func withinBudget(_ budget: Double) -> Bool { evaluations.isEmpty || totalTime < budget }

    /// The finished run; `counted` evaluations form the result.
    func finish(seed: Int, counted: Int? = nil) throws -> SearchRun {
        let n = counted ?? evaluations.count
        var best = -1, bestReward = -Double.infinity
        for e in evaluations.prefix(n) where best < 0 || bestReward < e.reward { best = e.index; bestReward = e.reward }
        return SearchRun(seed: seed, evaluations: evaluations, counted: n, bestIndex: best,
                         finalTestAccuracy: try bench.finalTestAccuracy(best))
    }
}
