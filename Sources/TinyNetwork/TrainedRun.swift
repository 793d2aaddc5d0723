import NASDataIO
import Pickle
import Tensors
import TorchFormats
import NASCore

/// One training run's final weights and what the benchmark recorded for it.
public struct TrainedRun: Sendable {
    public var architectureIndex: Int?
    public var architecture: String
    public var dataset: String
    public var seed: Int
    /// The training schedule (200 epochs: the `full` results; 12: `less`).
    public var schedule: Schedule
    public var classes: Int
    public var epochs: Int?
    public var weights: StateDict
    /// `eval_acc1es` / `eval_losses` keyed by `"ori-test@199"`-style names.
    public var recordedAccuracy: [String: Double]
    public var recordedLoss: [String: Double]
    /// The network the run's `arch_config` names when it is not TinyNetwork(C=16, N=5) of `architecture`
    /// (a NATS-Bench size-space run: `architecture` is then its channels, `8:16:24:32:40`).
    public var networkConfig: NetworkConfig?

    public init(architectureIndex: Int?, architecture: String, dataset: String, seed: Int, schedule: Schedule,
                classes: Int, epochs: Int?, weights: StateDict, recordedAccuracy: [String: Double],
                recordedLoss: [String: Double]) {
        self.architectureIndex = architectureIndex
        self.architecture = architecture
        self.dataset = dataset
        self.seed = seed
        self.schedule = schedule
        self.classes = classes
        self.epochs = epochs
        self.weights = weights
        self.recordedAccuracy = recordedAccuracy
        self.recordedLoss = recordedLoss
    }

    /// The network config upstream builds for this run.
    public var config: NetworkConfig { networkConfig ?? NetworkConfig(architecture: architecture, classes: classes) }

    /// Accuracy (%) and loss recorded for `set` (`ori-test`, `x-valid`, `x-test`) at its last recorded epoch.
    public func recorded(_ set: String) -> (epoch: Int, accuracy: Double, loss: Double?)? {
        let candidates = recordedAccuracy.keys.compactMap { key -> Int? in
            let parts = key.split(separator: "@")
            guard parts.count == 2, parts[0] == set[...], let epoch = Int(parts[1]) else { return nil }
            return epoch
        }
        guard let epoch = candidates.max(), let accuracy = recordedAccuracy["\(set)@\(epoch)"] else { return nil }
        return (epoch, accuracy, recordedLoss["\(set)@\(epoch)"])
    }

    /// Reads `['full'|'less']['all_results'][(dataset, seed)]` of an upstream `{index:06d}-FULL.pth`
    /// (§4 of the reference, keyed by `schedule.fileKey`: `full`, `less`), or
    /// `[hp]['all_results'][(dataset, seed)]` of a NATS-Bench result file (keyed by
    /// `schedule.rawValue`: `01`, `12`, `90`, `200`; as torch.save wrote it, or a `-full` folder's
    /// `{index:06d}.pickle.pbz2`); `seed` nil picks the lowest seed recorded.
    public static func fromFullFile(path: String, dataset: NB201Dataset, seed: Int?, schedule: Schedule) throws
        -> TrainedRun {
        // A torch checkpoint (FULL file), or a NATS-Bench `.pickle.pbz2` (tensors via `_load_from_bytes`).
        let file = try AnyFile.load(path: path).value
        let hpKey: String
        if file[.string(schedule.rawValue)].dict != nil {
            hpKey = schedule.rawValue
        } else if Schedule.nasBench201.contains(schedule) {
            hpKey = schedule.fileKey
        } else {
            throw IOError.malformed(path: path, offset: nil,
                                    reason: "has no results for hp \(schedule) (no '\(schedule.rawValue)' key; NAS-Bench-201 files record only 12 and 200)")
        }
        let results = file[.string(hpKey)]
        guard results.dict != nil else {
            let keys = (file.dict?.keys ?? []).compactMap(\.string).sorted()
            throw IOError.malformed(path: path, offset: nil,
                                    reason: "has no '\(hpKey)' results (hp \(schedule)); "
                                        + (keys.isEmpty ? "not a {index}-FULL.pth file?" : "it has: \(keys.joined(separator: ", "))"))
        }
        let runs: [(dataset: String, seed: Int)] = (results["all_results"].dict?.keys ?? []).compactMap { key in
            guard let t = key.tuple, t.count == 2, let d = t[0].string, let s = t[1].int else { return nil }
            return (d, s)
        }
        let seeds = runs.filter { $0.dataset == dataset.name }.map(\.seed).sorted()
        let available = runs.map { "(\($0.dataset), \($0.seed))" }.joined(separator: ", ")
        guard let chosen = seed ?? seeds.first, seeds.contains(chosen) else {
            throw IOError.malformed(path: path, offset: nil,
                reason: "has no '\(hpKey)' run for \(dataset.name)\(seed.map { " seed \($0)" } ?? ""); it has: "
                        + (available.isEmpty ? "none" : available))
        }
        let run = results["all_results"][(dataset.name, chosen)]
        guard run["net_state_dict"].dict != nil else {
            throw IOError.malformed(path: path, offset: nil,
                reason: "run (\(dataset.name), \(chosen)) of '\(hpKey)' has no weights (net_state_dict is \(run["net_state_dict"].typeName))")
        }
        let weights: StateDict
        do { weights = try run["net_state_dict"].stateDict() } catch {
            throw IOError.malformed(path: path, offset: nil, reason: "run (\(dataset.name), \(chosen)): \(error)")
        }
        let sizeConfig = try sizeSpaceConfig(run["arch_config"], path: path, classes: dataset.classCount)
        let architecture = sizeConfig?.channelString ?? run["arch_config"]["arch_str"].string ?? results["arch_str"].string
        guard let architecture else {
            throw IOError.malformed(path: path, offset: nil, reason: "names no architecture (arch_str)")
        }
        func metrics(_ name: String) -> [String: Double] {
            var out: [String: Double] = [:]
            for (k, v) in run[.string(name)].dictItems ?? [] { if let key = k.string, let d = v.double { out[key] = d } }
            return out
        }
        var trained = TrainedRun(architectureIndex: results["arch_index"].int, architecture: architecture,
                                 dataset: dataset.name, seed: chosen, schedule: schedule,
                                 classes: run["arch_config"]["class_num"].int ?? dataset.classCount,
                                 epochs: run["epochs"].int, weights: weights,
                                 recordedAccuracy: metrics("eval_acc1es"), recordedLoss: metrics("eval_losses"))
        trained.networkConfig = sizeConfig
        return trained
    }

    /// The size-space network an `arch_config` of NATS-Bench's size space names
    /// (`{'name': 'infer.shape.tiny', 'channels': '8:16:...', 'genotype': '|...|', 'class_num': 10}`),
    /// nil for any other arch_config.
    static func sizeSpaceConfig(_ archConfig: PickleValue, path: String, classes: Int) throws -> NetworkConfig? {
        try sizeSpaceConfig(name: archConfig["name"].string, channels: archConfig["channels"].string,
                            genotype: archConfig["genotype"].string, classNum: archConfig["class_num"].int,
                            path: path, classes: classes)
    }

    /// The same from an arch_config's fields (as a weight archive's results JSON holds them).
    public static func sizeSpaceConfig(name: String?, channels: String?, genotype: String?, classNum: Int?,
                                       path: String, classes: Int) throws -> NetworkConfig? {
        guard name == "infer.shape.tiny" else { return nil }
        guard let channels = channels.flatMap(ChannelSizes.parseWidths), let genotype else {
            throw IOError.malformed(path: path, offset: nil,
                reason: "its infer.shape.tiny arch_config lacks channels 'C1:...:C5' or a genotype string")
        }
        return NetworkConfig(layerChannels: channels, genotype: genotype, classes: classNum ?? classes)
    }
}
