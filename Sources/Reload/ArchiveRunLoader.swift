import Foundation
import NASCore
import TinyNetwork
import WeightArchive

/// `reload --archive` (and `forward --archive`): one run of a nasdata weight archive as a `TrainedRun`.
public enum ArchiveRunLoader {
    /// The search space of the archive's runs (what an `--arch` index means when `--space` is not given).
    public static func space(of path: String) throws -> SearchSpaceKind {
        do { return try ArchiveReader(path: path).searchSpace } catch { throw ReloadError("\(error)") }
    }

    /// The run of `architecture` (a topology cell or a size-space candidate, which must be of the
    /// archive's search space) on `dataset` under `schedule`; `seed` nil picks the lowest seed the
    /// archive has for it. A size-space run's network is the one its `arch_config` names.
    public static func load(path: String, architecture: SelectedArchitecture, dataset: NB201Dataset, seed: Int?,
                            schedule: Schedule) throws -> TrainedRun {
        let reader = try ArchiveReader(path: path)
        guard reader.searchSpace == architecture.space else {
            throw ReloadError("\(path): the archive holds \(reader.files), not runs of the \(architecture.space.rawValue) "
                              + "space (\(architecture.label))\(architecture.space == .size ? "" : "; an index of the size space needs --space sss")")
        }
        let hp = schedule.epochs
        let archIndex = architecture.index
        let seeds = reader.runs.filter { $0.key.archIndex == archIndex && $0.key.dataset == dataset.name && $0.key.hp == hp }
            .map(\.key.seed).sorted()
        guard let chosen = seed ?? seeds.first else {
            let have = reader.runs.filter { $0.key.archIndex == archIndex }
                .map { "\($0.key.dataset)/\($0.key.seed)/hp \($0.key.schedule?.rawValue ?? String($0.key.hp))" }
            throw ReloadError("\(path): no run of architecture \(archIndex) on \(dataset.name) with hp \(schedule); "
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
        let classNum = (config?["class_num"] as? NSNumber)?.intValue
        let sizeConfig = try TrainedRun.sizeSpaceConfig(name: config?["name"] as? String, channels: config?["channels"] as? String,
                                                        genotype: config?["genotype"] as? String, classNum: classNum,
                                                        path: path, classes: dataset.classCount)
        var trained = TrainedRun(architectureIndex: archIndex,
                                 architecture: sizeConfig?.channelString ?? (config?["arch_str"] as? String) ?? reader.source(of: run).archStr,
                                 dataset: dataset.name, seed: chosen, schedule: schedule,
                                 classes: classNum ?? dataset.classCount,
                                 epochs: (results["epochs"] as? NSNumber)?.intValue, weights: weights,
                                 recordedAccuracy: metrics("eval_acc1es"), recordedLoss: metrics("eval_losses"))
        trained.networkConfig = sizeConfig
        return trained
    }
}

/// A reload that cannot go on: one line naming the file and what is wrong.
public struct ReloadError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
