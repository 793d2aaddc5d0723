import NASBench
import NASCore

/// `regularized_ea.py` (Real et al.'s aging evolution): fill the population with random cells, then
/// until the budget is spent: sample `eaSampleSize` members with replacement, mutate the best of
/// them (first on ties), evaluate the child, add it and drop the oldest member.
func regularizedEvolution(_ bench: SimulatedBenchmark, _ settings: SearchSettings, seed: Int) throws -> SearchRun {
    var run = RunRecorder(bench: bench, seed: seed)
    var population: [(cell: Architecture, reward: Double)] = []
    var head = 0  // population[head...] is the live deque
    while population.count - head < settings.eaPopulation {
        let cell = randomCell(&run.random)
        population.append((cell, try run.evaluate(try bench.index(of: cell))))
    }
    while run.totalTime < settings.timeBudget {
        let live = population.count - head
        var parent = population[head + run.random.randbelow(live)]
        for _ in 1..<settings.eaSampleSize {
            let candidate = population[head + run.random.randbelow(live)]
            if candidate.reward > parent.reward { parent = candidate }
        }
        let child = mutate(parent.cell, &run.random)
        population.append((child, try run.evaluate(try bench.index(of: child))))
        head += 1
        if head > 4096 { population.removeFirst(head); head = 0 }
    }
    return try run.finish(seed: seed)
}

/// Upstream's topology mutation: `node = randint(0, 2)`, `edge = randint(0, len(node) - 1)` (node k
/// has k + 1 incoming edges), then `choice(ops)` until it differs from the edge's operation.
func mutate(_ cell: Architecture, _ random: inout PythonRandom) -> Architecture {
    let node = random.randint(0, Architecture.nodeCount - 1)
    let edge = random.randint(0, node)
    let k = node * (node + 1) / 2 + edge
    var ops = cell.operations
    var op = random.randbelow(Operation.allCases.count)
    while op == ops[k].index { op = random.randbelow(Operation.allCases.count) }
    ops[k] = Operation(index: op)!
    return Architecture(operations: ops)
}
