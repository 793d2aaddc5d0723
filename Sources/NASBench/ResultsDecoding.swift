import Foundation
import Pickle
import Tensors
import NASCore

/// A meta file (or archive file) whose content is not the ArchResults / ResultsCount layout
/// of reference §3, naming the file, where in the object tree, and what is wrong.
public struct BenchmarkFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    public let file: String
    /// Python-style path into the object, e.g. `arch2infos[12]['full']['all_results'][('cifar10', 777)]`.
    public let location: String
    public let reason: String

    public init(file: String, location: String, reason: String) {
        self.file = file; self.location = location; self.reason = reason
    }

    public var description: String { "\(file): \(location): \(reason)" }
}

/// Decoding of upstream's `ArchResults.state_dict()` / `ResultsCount.state_dict()` dicts from an
/// unpickled value tree, wherever it came from (meta file, `{index}-FULL.pth`, a test).
extension ArchResults {
    /// - includeWeights: materialise `net_state_dict` tensors into `ResultsCount.netStateDict`
    ///   (for legacy checkpoints only after `TorchCheckpoint.load` has returned); otherwise
    ///   weights are ignored and `netStateDict` stays nil.
    public init(pickle v: PickleValue, file: String, location: String, includeWeights: Bool = false) throws {
        let d = DecodeContext(file: file, location: location)
        guard v.dict != nil else { throw d.error("expected an ArchResults dict, found \(v.typeName)") }
        let index = try d.int(v, "arch_index")
        let archString = try d.string(v, "arch_str")
        guard let allResults = v["all_results"].dictItems else {
            throw d.error("'all_results' is \(v["all_results"].typeName), not a dict")
        }
        guard let datasetSeed = v["dataset_seed"].dictItems else {
            throw d.error("'dataset_seed' is \(v["dataset_seed"].typeName), not a dict")
        }
        var seeds: [(dataset: String, seeds: [Int])] = []
        for (key, value) in datasetSeed {
            guard let name = key.string, let list = value.list else {
                throw d.error("'dataset_seed' entry \(key.shortDescription) is not str -> list")
            }
            let ints = try list.map { item -> Int in
                guard let s = item.int else { throw d.error("'dataset_seed'['\(name)'] holds \(item.typeName), not int") }
                return s
            }
            seeds.append((name, ints))
        }
        var results: [RunKey: ResultsCount] = [:]
        for (key, value) in allResults {
            guard let t = key.tuple, t.count == 2, let dataset = t[0].string, let seed = t[1].int else {
                throw d.error("'all_results' key \(key.shortDescription) is not a (dataset, seed) tuple")
            }
            let at = "\(location)['all_results'][('\(dataset)', \(seed))]"
            results[RunKey(dataset, seed)] = try ResultsCount(pickle: value, file: file, location: at,
                                                             includeWeights: includeWeights)
        }
        for (dataset, list) in seeds {
            for s in list where results[RunKey(dataset, s)] == nil {
                throw d.error("'dataset_seed' lists seed \(s) of \(dataset) but 'all_results' has no run for it")
            }
        }
        let clear = v["clear_net_done"].bool ?? (v["clear_net_done"].int.map { $0 != 0 } ?? false)
        self.init(archIndex: index, archString: archString, datasetSeeds: seeds, results: results, clearNetDone: clear)
    }
}

extension ResultsCount {
    public init(pickle v: PickleValue, file: String, location: String, includeWeights: Bool = false) throws {
        let d = DecodeContext(file: file, location: location)
        guard v.dict != nil else { throw d.error("expected a ResultsCount dict, found \(v.typeName)") }
        let epochs = try d.int(v, "epochs")
        guard epochs > 0, epochs <= 100_000 else { throw d.error("'epochs' is \(epochs)") }
        let config = v["arch_config"]
        guard config.dict != nil else { throw d.error("'arch_config' is \(config.typeName), not a dict") }
        let archConfig = ArchConfig(channel: try d.int(config, "channel", in: "arch_config"),
                                    numCells: try d.int(config, "num_cells", in: "arch_config"),
                                    archString: try d.string(config, "arch_str", in: "arch_config"),
                                    classCount: try d.int(config, "class_num", in: "arch_config"))
        let seed: SeedField
        switch v["seed"] {
        case .string(let s): seed = .string(s)
        case .none: seed = .none
        case let other:
            guard let i = other.int else { throw d.error("'seed' is \(other.typeName)") }
            seed = .int(i)
        }
        var latency: [Double]?
        if !v["latency"].isNone {
            guard let list = v["latency"].list else { throw d.error("'latency' is \(v["latency"].typeName), not a list") }
            latency = try list.map { x in
                guard let f = x.double else { throw d.error("'latency' holds \(x.typeName)") }
                return f
            }
        }
        let trainAcc1 = try d.series(v, "train_acc1es", epochs: epochs)
        let trainLoss = try d.series(v, "train_losses", epochs: epochs)
        let trainAcc5 = v["train_acc5es"].isNone ? nil : try d.series(v, "train_acc5es", epochs: epochs)
        let trainTimes = v["train_times"].isNone ? nil : try d.series(v, "train_times", epochs: epochs)
        var evalNames: [String] = []
        if !v["eval_names"].isNone {
            guard let names = v["eval_names"].list else { throw d.error("'eval_names' is not a list") }
            evalNames = try names.map { n in
                guard let s = n.string else { throw d.error("'eval_names' holds \(n.typeName)") }
                return s
            }
        }
        let evalAcc1 = try d.evalSeries(v, "eval_acc1es", epochs: epochs)
        let evalLoss = try d.evalSeries(v, "eval_losses", epochs: epochs)
        let evalTimes = v["eval_times"].isNone ? [:] : try d.evalSeries(v, "eval_times", epochs: epochs)
        var weights: StateDict?
        if includeWeights, !v["net_state_dict"].isNone {
            do { weights = try v["net_state_dict"].stateDict() } catch {
                throw d.error("'net_state_dict': \(error)")
            }
        }
        self.init(dataset: try d.string(v, "name"), seed: seed, epochs: epochs,
                  params: try d.double(v, "params"), flop: try d.double(v, "flop"), archConfig: archConfig,
                  latency: latency, trainAcc1: trainAcc1, trainAcc5: trainAcc5, trainLoss: trainLoss,
                  trainTimes: trainTimes, evalNames: evalNames, evalAcc1: evalAcc1, evalLoss: evalLoss,
                  evalTimes: evalTimes, netStateDict: weights)
    }
}

/// Field readers that turn a wrong type or a missing key into a `BenchmarkFormatError`.
struct DecodeContext {
    let file: String
    let location: String

    func error(_ reason: String) -> BenchmarkFormatError {
        BenchmarkFormatError(file: file, location: location, reason: reason)
    }

    private func field(_ v: PickleValue, _ key: String, in parent: String?) throws -> PickleValue {
        guard v.contains(.string(key)) else {
            throw error("missing key '\(key)'" + (parent.map { " in '\($0)'" } ?? ""))
        }
        return v[.string(key)]
    }

    func int(_ v: PickleValue, _ key: String, in parent: String? = nil) throws -> Int {
        let x = try field(v, key, in: parent)
        guard let i = x.int else { throw error("'\(key)' is \(x.typeName), not int") }
        return i
    }

    func double(_ v: PickleValue, _ key: String, in parent: String? = nil) throws -> Double {
        let x = try field(v, key, in: parent)
        guard let f = x.double else { throw error("'\(key)' is \(x.typeName), not a number") }
        return f
    }

    func string(_ v: PickleValue, _ key: String, in parent: String? = nil) throws -> String {
        let x = try field(v, key, in: parent)
        guard let s = x.string else { throw error("'\(key)' is \(x.typeName), not str") }
        return s
    }

    /// `{epoch int: float}` -> series of `epochs`.
    func series(_ v: PickleValue, _ key: String, epochs: Int) throws -> EpochSeries {
        let x = try field(v, key, in: nil)
        guard let dict = x.dict else { throw error("'\(key)' is \(x.typeName), not a dict") }
        var s = EpochSeries(count: epochs)
        for (k, value) in dict.items {
            guard case .int(let e) = k, (0..<epochs).contains(e) else {
                throw error("'\(key)' has key \(k.shortDescription), not an epoch in 0..<\(epochs)")
            }
            guard let f = value.double else { throw error("'\(key)'[\(e)] is \(value.typeName), not a number") }
            s.values[e] = f
        }
        return s
    }

    /// `{'x-valid@199': float}` -> series per set name. Hot (hundreds of millions of keys in a
    /// full meta file): keys are parsed on their UTF-8 bytes and set names looked up among the
    /// few already seen, without allocating a String per key.
    func evalSeries(_ v: PickleValue, _ key: String, epochs: Int) throws -> [String: EpochSeries] {
        let x = try field(v, key, in: nil)
        guard let dict = x.dict else { throw error("'\(key)' is \(x.typeName), not a dict") }
        var names: [String] = []
        var series: [EpochSeries] = []
        for (k, value) in dict.items {
            guard case .string(let text) = k, let (known, e) = Self.splitEvalKey(text, known: names),
                  (0..<epochs).contains(e) else {
                throw error("'\(key)' has key \(k.shortDescription), not 'set@epoch' with an epoch in 0..<\(epochs)")
            }
            guard let f = value.double else { throw error("'\(key)'[\(k.shortDescription)] is \(value.typeName), not a number") }
            let i: Int
            switch known {
            case .index(let existing): i = existing
            case .new(let name):
                names.append(name)
                series.append(EpochSeries(count: epochs))
                i = names.count - 1
            }
            series[i].values[e] = f
        }
        return Dictionary(uniqueKeysWithValues: zip(names, series))
    }

    /// A set name in an eval key: one of the names seen so far, or a new one.
    enum EvalSetName: Equatable { case index(Int), new(String) }

    /// `"x-valid@12"` -> (set name, 12), the name given as its index in `known` when it is
    /// one of them (no String made). Parsed on the key's contiguous UTF-8 bytes.
    static func splitEvalKey(_ text: String, known: [String]) -> (EvalSetName, Int)? {
        var text = text
        if let parsed = text.withUTF8({ splitEvalKey(bytes: $0, known: known) }) {
            return parsed.known.map { (.index($0), parsed.epoch) }
                ?? (.new(String(decoding: text.utf8.prefix(parsed.at), as: UTF8.self)), parsed.epoch)
        }
        return nil
    }

    private static func splitEvalKey(bytes: UnsafeBufferPointer<UInt8>, known: [String]) -> (known: Int?, at: Int, epoch: Int)? {
        var at = bytes.count - 1
        while at >= 0 && bytes[at] != UInt8(ascii: "@") { at -= 1 }
        guard at >= 0, bytes.count - at - 1 > 0, bytes.count - at - 1 <= 9 else { return nil }
        var epoch = 0
        for c in bytes[(at + 1)...] {
            guard c >= 48, c <= 57 else { return nil }
            epoch = epoch * 10 + Int(c - 48)
        }
        let prefix = UnsafeBufferPointer(rebasing: bytes[0..<at])
        for (i, name) in known.enumerated() where name.utf8.count == at {
            var name = name
            if at == 0 || name.withUTF8({ memcmp($0.baseAddress!, prefix.baseAddress!, at) == 0 }) { return (i, at, epoch) }
        }
        return (nil, at, epoch)
    }
}
