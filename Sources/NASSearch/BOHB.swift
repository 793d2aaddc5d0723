import Foundation
import NASBench
import NASCore

/// `bohb.py`: hpbandster's BOHB (Falkner et al. 2018) with one worker, ported from hpbandster's
/// master, SuccessiveHalving iterations and KDE config generator (read from PyPI `hpbandster`
/// 0.7.4, `optimizers/bohb.py`, `optimizers/config_generators/bohb.py`, `core/base_iteration.py`).
///
/// - Budgets: `maxBudget * eta^-k`, k = S-1 ... 0 with S = `-int(log(min/max)/log(eta)) + 1`
///   (1.33, 4, 12 for eta 3, 1 .. 12); a budget b trains `int(b)` epochs (`iepoch = int(b) - 1`).
/// - Iteration i is a SuccessiveHalving bracket with s = S-1 - i % S, n0 = floor(S/(s+1)) * eta^s
///   configurations at the smallest of its budgets, `max(int(n0 * eta^-j), 1)` promoted to stage j
///   (lowest loss first, ties to the earlier sample); one worker runs everything in order.
/// - A configuration is sampled uniformly until some budget has a model; then (unless a draw falls
///   below `randomFraction`) from the largest budget's model: `numSamples` candidates, each a copy of
///   a random good point whose categorical values are kept with probability 1 - bw (else drawn
///   uniformly), the one minimising g(x)/l(x) wins.
/// - Models: per budget, once it has more than 2 * (d + 1) - 1 results (d = 6 edges or 5 stages), statsmodels'
///   KDEMultivariate over the best max(d+1, 15% n) and the next max(d+1, 85% n) configurations,
///   Aitchison-Aitken kernels with normal-reference bandwidths clipped below at `minBandwidth`.
///   Results on budgets below the largest modelled one are ignored, as hpbandster does.
///
/// hpbandster draws from numpy's and ConfigSpace's generators; here those draws come from a separate
/// generator seeded from the run's seed, so runs match upstream in distribution. The benchmark's seed
/// draws come from Python's `random` seeded with the run's seed. All `nIterations` brackets run; the
/// result counts the evaluations that started within the time budget.
func bohb(_ bench: SimulatedBenchmark, _ settings: SearchSettings, seed: Int) throws -> SearchRun {
    let s = settings.bohb
    var run = RunRecorder(bench: bench, seed: seed)
    var generator = KDEConfigGenerator(settings: s, space: bench.space, random: PythonRandom(key: [UInt32(truncatingIfNeeded: seed), 0x424F_4842]))
    let stages = -Int(log(s.minBudget / s.maxBudget) / log(s.eta)) + 1
    let budgets = (0..<stages).map { k in s.maxBudget * pow(s.eta, -Double(stages - 1 - k)) }
    for iteration in 0..<s.nIterations {
        let bracket = stages - 1 - iteration % stages
        let n0 = Int((Double(stages) / Double(bracket + 1)).rounded(.down) * pow(s.eta, Double(bracket)))
        let counts = (0...bracket).map { j in max(Int(Double(n0) * pow(s.eta, -Double(j))), 1) }
        let bracketBudgets = Array(budgets.suffix(bracket + 1))
        // Stage 0: sample and evaluate one configuration at a time.
        var configs: [[Int]] = [], losses: [Double] = []
        for _ in 0..<counts[0] {
            let config = generator.sample()
            configs.append(config)
            losses.append(try evaluateConfig(config, budget: bracketBudgets[0], &run, &generator))
        }
        for stage in 1..<max(bracket + 1, 1) {
            // Promote the lowest losses (stable ranks), keeping sampling order for the next stage.
            let order = losses.indices.sorted { losses[$0] < losses[$1] || (losses[$0] == losses[$1] && $0 < $1) }
            let promoted = Set(order.prefix(counts[stage]))
            configs = configs.indices.filter(promoted.contains).map { configs[$0] }
            losses = []
            for config in configs {
                losses.append(try evaluateConfig(config, budget: bracketBudgets[stage], &run, &generator))
            }
        }
    }
    var counted = 0
    for e in run.evaluations where e.totalTime - e.cost < settings.timeBudget { counted += 1 }
    return try run.finish(seed: seed, counted: counted)
}

/// The worker's `compute`: evaluate at epoch `int(budget) - 1`, loss = 100 - accuracy, then the
/// config generator's `new_result`.
private func evaluateConfig(_ config: [Int], budget: Double, _ run: inout RunRecorder,
                            _ generator: inout KDEConfigGenerator) throws -> Double {
    let accuracy = try run.evaluate(try run.bench.index(of: config), epoch: Int(budget) - 1)
    let loss = 100 - accuracy
    generator.newResult(config, loss: loss.isFinite ? loss : .infinity, budget: budget)
    return loss
}

/// hpbandster's BOHB config generator for categorical dimensions (one per edge with 5 values, or one
/// per stage with 8).
struct KDEConfigGenerator {
    let settings: BOHBSettings
    var random: PythonRandom
    let dims: Int, levels: Int
    var minPoints: Int { dims + 1 }
    var observations: [Double: (configs: [[Int]], losses: [Double])] = [:]
    var models: [Double: (good: KDE, bad: KDE)] = [:]

    init(settings: BOHBSettings, space: SearchSpaceKind, random: PythonRandom) {
        self.settings = settings
        self.random = random
        dims = space.positions
        levels = space.valuesPerPosition
    }

    mutating func sample() -> [Int] {
        if models.isEmpty || random.random() < settings.randomFraction { return uniform() }
        let budget = models.keys.max()!
        let (good, bad) = models[budget]!
        func pyMax(_ a: Double, _ b: Double) -> Double { b > a ? b : a }
        var best = Double.infinity
        var bestVector: [Int]?
        for _ in 0..<settings.numSamples {
            let datum = good.data[random.randbelow(good.data.count)]
            var vector: [Int] = []
            for d in 0..<dims {
                let bw = pyMax(good.bandwidth[d], settings.minBandwidth)
                vector.append(random.random() < 1 - bw ? datum[d] : random.randbelow(levels))
            }
            let l = good.pdf(vector), g = bad.pdf(vector)
            let value = pyMax(1e-32, g) / pyMax(l, 1e-32)
            if !value.isFinite, l.isFinite { bestVector = vector; break }
            if value < best { best = value; bestVector = vector }
        }
        return bestVector ?? uniform()
    }

    mutating func uniform() -> [Int] { (0..<dims).map { _ in random.randbelow(levels) } }

    mutating func newResult(_ config: [Int], loss: Double, budget: Double) {
        if observations[budget] == nil { observations[budget] = ([], []) }
        if let top = models.keys.max(), top > budget { return }
        observations[budget]!.configs.append(config)
        observations[budget]!.losses.append(loss)
        let (configs, losses) = observations[budget]!
        let n = configs.count
        guard n > minPoints - 1 else { return }
        let nGood = max(minPoints, settings.topNPercent * n / 100)
        let nBad = max(minPoints, (100 - settings.topNPercent) * n / 100)
        let order = losses.indices.sorted { losses[$0] < losses[$1] || (losses[$0] == losses[$1] && $0 < $1) }
        let good = order.prefix(nGood).map { configs[$0] }
        let bad = order.dropFirst(nGood).prefix(nBad).map { configs[$0] }
        guard good.count > dims, bad.count > dims else { return }
        models[budget] = (KDE(data: good, minBandwidth: settings.minBandwidth),
                          KDE(data: bad, minBandwidth: settings.minBandwidth))
    }
}

/// statsmodels' `KDEMultivariate(var_type='u' * d, bw='normal_reference')` with the bandwidths
/// clipped below at the minimum, as hpbandster clips them.
struct KDE {
    let data: [[Int]]
    let bandwidth: [Double]
    /// Distinct values per dimension in the data (the kernel's `num_levels`).
    let levels: [Int]

    init(data: [[Int]], minBandwidth: Double) {
        self.data = data
        let n = Double(data.count), d = data.first?.count ?? 0
        var bw: [Double] = [], lv: [Int] = []
        for j in 0..<d {
            let column = data.map { Double($0[j]) }
            let mean = column.reduce(0, +) / n
            let std = (column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
            bw.append(max(1.06 * std * pow(n, -1.0 / Double(4 + d)), minBandwidth))
            lv.append(Set(data.map { $0[j] }).count)
        }
        bandwidth = bw
        levels = lv
    }

    /// Aitchison-Aitken product kernel density: mean over the data of prod_j k_j, with
    /// k = 1 - h on a match and h / (levels - 1) otherwise.
    func pdf(_ x: [Int]) -> Double {
        var sum = 0.0
        for point in data {
            var k = 1.0
            for j in 0..<x.count {
                let h = bandwidth[j]
                k *= point[j] == x[j] ? 1 - h : h / Double(levels[j] - 1)
            }
            sum += k
        }
        return sum / Double(data.count)
    }
}
