import NASBench
import NASCore

/// `regularized_ea.py` (Real et al.'s aging evolution): fill the population with random architectures, then
/// until the budget is spent: sample `eaSampleSize` members with replacement, mutate the best of
/// them (first on ties), evaluate the child, add it and drop the oldest member.
func regularizedEvolution(_ bench: SimulatedBenchmark, _ settings: SearchSettings, seed: Int) throws -> SearchRun {
    var run = RunRecorder(bench: bench, seed: seed)
    var population: [(arch: [Int], reward: Double)] = []
    var head = 0  // population[head...] is the live deque
    while population.count - head < settings.eaPopulation {
        let arch = bench.space.randomChoices(&run.random)
        population.append((arch, try run.evaluate(try bench.index(of: arch))))
    }
    while run.totalTime < settings.timeBudget {
        let live = population.count - head
        var parent = population[head + run.random.randbelow(live)]
        for _ in 1..<settings.eaSampleSize {
            let candidate = population[head + run.random.randbelow(live)]
            if candidate.reward > parent.reward { parent = candidate }
        }
        let child = bench.space.mutate(parent.arch, &run.random)
        population.append((child, try run.evaluate(try bench.index(of: child))))
        head += 1
        if head > 4096 { population.removeFirst(head); head = 0 }
    }
    return try run.finish(seed: seed)
}
