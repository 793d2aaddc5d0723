import Foundation
import NASBench
import NASCore

/// `reinforce.py` (Williams 1992): a softmax policy over each position's values (an edge's operations,
/// a stage's widths), logits initialised `1e-3 * randn`; each step samples an architecture, evaluates it, updates the exponential-moving-average
/// baseline with the reward, and takes one Adam step on `-sum(log pi(actions)) * (reward - baseline)`.
/// Stops when the total time reaches the budget; the result is the best evaluated architecture.
///
/// Upstream draws the policy's numbers from torch's generator; here they come from a separate
/// generator seeded from the run's seed, so runs match upstream in distribution, not draw for draw.
/// The benchmark's seed draws still come from Python's `random` seeded with the run's seed.
func reinforce(_ bench: SimulatedBenchmark, _ settings: SearchSettings, seed: Int) throws -> SearchRun {
    var run = RunRecorder(bench: bench, seed: seed)
    var policyRandom = PythonRandom(key: [UInt32(truncatingIfNeeded: seed), 0x5245_494E])  // "REIN"
    let rows = bench.space.positions, cols = bench.space.valuesPerPosition
    var theta = (0..<rows * cols).map { _ in 1e-3 * normal(&policyRandom) }
    var adam = Adam(count: theta.count, learningRate: settings.learningRate)
    var baseline = MovingAverage(momentum: settings.emaMomentum)
    var gradient = [Double](repeating: 0, count: theta.count)
    while run.withinBudget(settings.timeBudget) {
        var probabilities = theta
        var actions = [Int](repeating: 0, count: rows)
        for r in 0..<rows {
            softmax(&probabilities[(r * cols)..<(r * cols + cols)])
            actions[r] = categorical(probabilities[(r * cols)..<(r * cols + cols)], &policyRandom)
        }
        let reward = try run.evaluate(try bench.index(of: actions))
        baseline.update(reward)
        let advantage = reward - baseline.value
        // d/dtheta of -log softmax(theta)[a] * advantage = (p - onehot(a)) * advantage
        for r in 0..<rows {
            for c in 0..<cols {
                let p = probabilities[r * cols + c]
                gradient[r * cols + c] = (p - (c == actions[r] ? 1 : 0)) * advantage
            }
        }
        adam.step(&theta, gradient)
    }
    return try run.finish(seed: seed)
}

/// A standard normal draw (Box-Muller on two uniforms).
func normal(_ random: inout PythonRandom) -> Double {
    let u1 = 1.0 - random.random(), u2 = random.random()
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
}

func softmax(_ row: inout ArraySlice<Double>) {
    let top = row.max() ?? 0
    var sum = 0.0
    for i in row.indices { row[i] = exp(row[i] - top); sum += row[i] }
    for i in row.indices { row[i] /= sum }
}

/// An index drawn with the given probabilities (inverse CDF).
func categorical(_ p: ArraySlice<Double>, _ random: inout PythonRandom) -> Int {
    let u = random.random()
    var acc = 0.0
    for i in p.indices {
        acc += p[i]
        if u < acc { return i - p.startIndex }
    }
    return p.count - 1
}

/// The reference's bias-corrected exponential moving average (numerator and denominator both decay).
struct MovingAverage {
    let momentum: Double
    var numerator = 0.0, denominator = 0.0
    mutating func update(_ value: Double) {
        numerator = momentum * numerator + (1 - momentum) * value
        denominator = momentum * denominator + (1 - momentum)
    }
    var value: Double { numerator / denominator }
}

/// torch.optim.Adam with its defaults (betas 0.9 / 0.999, eps 1e-8, no weight decay).
struct Adam {
    let learningRate: Double
    let beta1 = 0.9, beta2 = 0.999, eps = 1e-8
    var m: [Double], v: [Double]
    var t = 0
    init(count: Int, learningRate: Double) {
        self.learningRate = learningRate
        m = [Double](repeating: 0, count: count); v = m
    }
    mutating func step(_ x: inout [Double], _ g: [Double]) {
        t += 1
        let c1 = 1 - pow(beta1, Double(t)), c2 = 1 - pow(beta2, Double(t))
        for i in x.indices {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
            x[i] -= learningRate * (m[i] / c1) / ((v[i] / c2).squareRoot() + eps)
        }
    }
}
