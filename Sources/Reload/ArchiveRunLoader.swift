import Foundation
import NASCore
import TinyNetwork
import WeightArchive

/// `reload --archive` (and `forward --archive`): one run of a nasdata weight archive as a `TrainedRun`.
public enum ArchiveRunLoader {
    /// The run of `architecture` (its canonical `index` if known) on `dataset` under `schedule`;
    /// `seed` nil picks the lowest seed the archive has for it.
    public static func load(path: String, architecture: Architecture, index: Int?, dataset: NB201Dataset, seed: Int?,
                            schedule: Schedule) throws -> TrainedRun {
        let reader = try ArchiveReader(path: path)
        let hp = schedule.epochs
        let archIndex = try index ?? reader.archIndex(.string(architecture.description))
        let seeds = reader.runs.filter { $0.key.archIndex == archIndex && $0.key.dataset == dataset.name && $0.key.hp == hp }
            .map(\.key.seed).sorted()
        guard let chosen = seed ?? seeds.first else {
            let have = reader.runs.filter { $0.key.archIndex == archIndex }
                .map { "\($0.key.dataset)/\($0.key.seed)/hp \($0.key.hp)" }
            throw ReloadError("\(path): no run of architecture \(archIndex) on \(dataset.name) with hp \(hp); "
                              + (have.isEmpty ? "the architecture is not in this archive" : "it has: " + have.joined(separator: ", ")))
        }
        let run = try reader.run(arch: .index(archIndex), dataset: dataset.name, seed: chosen, schedule: schedule)
        let weights = try reader.stateDict(of: run)
        let results = (try? JSONSerialization.jsonObject(with: Data(reader.resultsJSON(run).utf8),
                                                         options: [.fragmentsAllowed])) as? [String: Any] ?? [:]
        func metrics(_ name: String) -> [String: Double] {
            var out: [String: Double] = [:]
            for (k, v) in results[name] as? [String: Any] ?? [:] { if let d = (v as? NSNumber)?.doubleValue { out[k] = d } }
            return out
        }
        let config = results["arch_config"] as? [String: Any]
        return TrainedRun(architectureIndex: archIndex,
                          architecture: (config?["arch_str"] as? String) ?? reader.source(of: run).archStr,
                          dataset: dataset.name, seed: chosen, schedule: schedule,
                          classes: (config?["class_num"] as? NSNumber)?.intValue ?? dataset.classCount,
                          epochs: (results["epochs"] as? NSNumber)?.intValue, weights: weights,
                          recordedAccuracy: metrics("eval_acc1es"), recordedLoss: metrics("eval_losses"))
    }
}

/// A reload that cannot go on: one line naming the file and what is wrong.
public struct ReloadError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
