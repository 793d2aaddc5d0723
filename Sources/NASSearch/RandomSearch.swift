import NASBench
import NASCore

/// `random_wo_share.py`: draw a random architecture, evaluate it, keep the best (strictly higher reward),
/// until the total simulated time reaches the budget.
func randomSearch(_ bench: SimulatedBenchmark, _ settings: SearchSettings, seed: Int) throws -> SearchRun {
    var run = RunRecorder(bench: bench, seed: seed)
    while run.withinBudget(settings.timeBudget) {
        try run.evaluate(try bench.index(of: bench.space.randomChoices(&run.random)))
    }
    return try run.finish(seed: seed)
}
