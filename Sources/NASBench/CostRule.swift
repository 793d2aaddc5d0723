import Foundation

/// How the upstream API of a benchmark turns the FLOPs (or the params) of an architecture's
/// runs on one data set into one number (`get_compute_costs`).
public enum CostRule: Sendable, Equatable {
    /// `nas_201_api`: the mean over the seeds.
    case meanOverSeeds
    /// `nats_bench` (1.x): the mean, unless the seeds' values differ when written with five
    /// decimals (its "legacy issue"); then the value of the run with seed 888. With no such run
    /// upstream raises ValueError, and this throws `QueryError.inconsistentCosts`.
    case natsSeed888

    /// The one value of `values` (one per seed, in `seeds`' order) under this rule.
    public func combine(_ values: [Double], seeds: [Int], quantity: String, index: Int, dataset: String) throws -> Double {
        if self == .natsSeed888, values.count > 1, Set(values.map { String(format: "%.5f", $0) }).count > 1 {
            guard let i = seeds.firstIndex(of: 888) else {
                throw QueryError.inconsistentCosts(index: index, dataset: dataset, quantity: quantity, values: values, seeds: seeds)
            }
            return values[i]
        }
        return NumpyReduction.mean(values)
    }
}
