import NASBench
import NASCore
import Pickle
import TorchFormats

/// A NATS-Bench folder as its authors name it: `NATS-<tss|sss>-v<M>_<m>-<5 hex>-<simple|full>`
/// (`meta.pickle.pbz2` plus one `{index:06d}.pickle.pbz2` per architecture; `-full` with weights).
struct NATSFolder: Equatable {
    let space: SearchSpaceKind
    /// `-full`: every run carries its trained weights.
    let full: Bool

    static let metaName = "meta.pickle.pbz2"

    /// Nil for any other folder name.
    static func parse(_ folderName: String?) -> NATSFolder? {
        guard let name = folderName else { return nil }
        for (variant, full) in [("-simple", false), ("-full", true)] where name.hasSuffix(variant) {
            let stem = String(name.dropLast(variant.count))
            // The stem is the single file's name without its extension: the same suffix rule parses it.
            guard ChecksumSuffix.parse(fileName: stem + ".pickle.pbz2")?.family == .natsBench,
                  let space = NATSFileCheck.space(ofName: stem) else { return nil }
            return NATSFolder(space: space, full: full)
        }
        return nil
    }

    var kind: String { "NATS-Bench \(space.rawValue) \(full ? "-full" : "-simple") folder" }
}

/// Structure checks of NATS-Bench's `.pickle.pbz2` files (each decompressed as it is parsed,
/// nothing executed, nothing accepted after the pickle's STOP):
///
/// - a per-architecture file `{index:06d}.pickle.pbz2` of a `-simple`/`-full` folder:
///   `{hp: ArchResults}` with the space's hp keys, well-formed data sets and seeds, `arch_index`
///   = the name's index, `arch_str` (and every run's `arch_config`) = the canonical string of that
///   index, and every `net_state_dict` exactly the keys and shapes of the run's network (required
///   in a `-full` folder);
/// - `meta.pickle.pbz2`: `meta_archs` is the space's canonical list, in order;
/// - a single-file benchmark `NATS-<space>-...pickle.pbz2`, streamed one architecture at a time:
///   the same per-architecture checks for every `arch2infos` entry, all of the space present.
enum NATSFileCheck {
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// An error's first line without the file's path (the report's row names the file):
    /// `/x/000011.pickle.pbz2 (byte 25): ...` becomes `at byte 25: ...`.
    static func local(_ error: Error, _ path: String) -> String {
        var text = ContentRules.oneLine(error)
        for prefix in [path + ": ", path + " "] where text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
        if text.hasPrefix("(byte "), let close = text.firstIndex(of: ")") {
            text = "at " + text[text.index(after: text.startIndex)..<close] + text[text.index(after: close)...]
        }
        return text
    }

    /// `NATS-tss-...` / `NATS-sss-...` (nil for other names).
    static func space(ofName name: String) -> SearchSpaceKind? {
        if name.hasPrefix("NATS-tss-") { return .topology }
        if name.hasPrefix("NATS-sss-") { return .size }
        return nil
    }

    /// The hp keys a space's files use (`12`, `200`; `01`, `12`, `90`).
    static func hpKeys(_ space: SearchSpaceKind) -> [String] { space.schedules.map(\.rawValue) }

    // MARK: per-architecture file

    /// Checks one `{index:06d}.pickle.pbz2`; returns the report's one-line summary.
    static func architectureFile(path: String, index: Int, folder: NATSFolder) throws -> String {
        let space = folder.space
        guard index < space.count else {
            throw Problem(description: "index \(index) is outside the \(space.rawValue) space (0..\(space.count - 1))")
        }
        let root: PickleValue
        do { root = try AnyFile.load(path: path, kind: .pickleBz2).value } catch {
            throw Problem(description: "does not load: " + local(error, path))
        }
        guard let items = root.dictItems else {
            throw Problem(description: "top level is \(root.typeName), not a dict of hp -> ArchResults")
        }
        guard !items.isEmpty else { throw Problem(description: "holds no hp (an empty dict)") }
        var counts = RunCounts()
        for (key, value) in items {
            guard let hp = key.string else {
                throw Problem(description: "top-level key \(key.shortDescription) is not an hp string")
            }
            try architecture(value, index: index, hp: hp, space: space, file: path, location: "['\(hp)']", counts: &counts)
        }
        if folder.full && counts.withWeights < counts.runs {
            throw Problem(description: "\(counts.runs - counts.withWeights) of \(counts.runs) runs carry no weights "
                + "(net_state_dict None) in a -full folder")
        }
        let hps = items.compactMap { $0.key.string }.joined(separator: ", ")
        return "arch_index and arch_str = index \(index)'s \(space.architectureString(at: index)!); hp \(hps): "
            + counts.summary
    }

    /// Runs and weights seen, for the summary.
    struct RunCounts {
        var runs = 0
        var withWeights = 0
        var tensors = 0

        var summary: String {
            "\(runs) runs well formed" + (withWeights > 0
                ? "; \(withWeights) state dicts (\(tensors) tensors) have exactly the network's keys and shapes"
                : " (no weights)")
        }
    }

    /// One `ArchResults` dict (one hp of one architecture), wherever it is.
    static func architecture(_ value: PickleValue, index: Int, hp: String, space: SearchSpaceKind, file: String,
                             location: String, counts: inout RunCounts) throws {
        guard hpKeys(space).contains(hp) else {
            throw Problem(description: "\(location): hp key '\(hp)' is not one of the \(space.rawValue) space's "
                + hpKeys(space).map { "'\($0)'" }.joined(separator: ", "))
        }
        let results: ArchResults
        do { results = try ArchResults(pickle: value, file: file, location: location, includeWeights: true) } catch {
            throw Problem(description: local(error, file))
        }
        let canonical = space.architectureString(at: index)!
        guard results.archIndex == index else {
            throw Problem(description: "\(location)['arch_index'] is \(results.archIndex), but the file is for index \(index) "
                + "(renamed or swapped?)")
        }
        guard results.archString == canonical else {
            throw Problem(description: "\(location)['arch_str'] \(results.archString) != canonical string of index \(index) "
                + "\(canonical)" + (space.index(of: results.archString).map { " (it is index \($0)'s)" } ?? ""))
        }
        for (dataset, seeds) in results.datasetSeeds {
            guard NB201Dataset(name: dataset) != nil else {
                throw Problem(description: "\(location)['dataset_seed'] names data set '\(dataset)', not one of "
                    + NB201Dataset.allCases.map(\.name).joined(separator: ", "))
            }
            guard Set(seeds).count == seeds.count, seeds.allSatisfy({ $0 >= 0 }) else {
                throw Problem(description: "\(location)['dataset_seed']['\(dataset)'] seeds \(seeds) are not distinct non-negative ints")
            }
        }
        for key in results.results.keys.sorted(by: { ($0.dataset, $0.seed) < ($1.dataset, $1.seed) }) {
            let run = results.results[key]!
            let at = "\(location)['all_results'][('\(key.dataset)', \(key.seed))]"
            guard let dataset = NB201Dataset(name: key.dataset), results.seeds(of: key.dataset)?.contains(key.seed) == true else {
                throw Problem(description: "\(at): not listed in 'dataset_seed'")
            }
            guard run.dataset == key.dataset else {
                throw Problem(description: "\(at)['name'] is '\(run.dataset)', not the key's data set")
            }
            guard run.archConfig.classCount == dataset.classCount else {
                throw Problem(description: "\(at)['arch_config']['class_num'] is \(run.archConfig.classCount), "
                    + "\(dataset.name) has \(dataset.classCount) classes")
            }
            let recorded = space == .size ? run.archConfig.channels ?? run.archConfig.archString : run.archConfig.archString
            guard recorded == canonical else {
                throw Problem(description: "\(at)['arch_config'] names \(recorded), not index \(index)'s \(canonical)")
            }
            counts.runs += 1
            guard let weights = run.netStateDict else { continue }
            let config: NetworkConfig
            switch space {
            case .topology: config = NetworkConfig(architecture: canonical, classes: dataset.classCount)
            case .size:
                config = NetworkConfig(size: try ChannelSizes(canonical),
                                       genotype: run.archConfig.genotype ?? NetworkConfig.sizeSpaceCell,
                                       classes: dataset.classCount)
            }
            let spec: ParameterSpec
            do { spec = try ParameterSpec(config) } catch {
                throw Problem(description: "\(at)['arch_config']: \(error)")
            }
            if let mismatch = spec.mismatches(in: weights) {
                throw Problem(description: "\(at)['net_state_dict'] does not fit the network of \(canonical) "
                    + "(\(dataset.classCount) classes): " + StructureChecks.summary(mismatch))
            }
            counts.withWeights += 1
            counts.tensors += weights.count
        }
    }

    // MARK: meta file

    /// `meta.pickle.pbz2`: `{meta_archs, total_archs, arch2infos, evaluated_indexes}` whose
    /// `meta_archs` is the space's canonical list.
    static func metaFile(path: String, space: SearchSpaceKind) throws -> String {
        let root: PickleValue
        do { root = try AnyFile.load(path: path, kind: .pickleBz2).value } catch {
            throw Problem(description: "does not load: " + local(error, path))
        }
        let meta: NATSSource.Meta
        do { meta = try NATSSource.meta(root, file: path) } catch {
            throw Problem(description: local(error, path))
        }
        try canonicalList(meta, space: space)
        return "meta_archs = the \(space.count) canonical \(space.rawValue) strings in index order"
    }

    static func canonicalList(_ meta: NATSSource.Meta, space: SearchSpaceKind) throws {
        if let total = meta.totalArchs, total != space.count {
            throw Problem(description: "total_archs is \(total), the \(space.rawValue) space has \(space.count)")
        }
        guard meta.metaArchs.count == space.count else {
            throw Problem(description: "meta_archs holds \(meta.metaArchs.count) strings, the \(space.rawValue) space has \(space.count)")
        }
        for (i, s) in meta.metaArchs.enumerated() where s != space.architectureString(at: i)! {
            throw Problem(description: "meta_archs[\(i)] is \(s), the canonical string of index \(i) is \(space.architectureString(at: i)!)")
        }
    }

    // MARK: single-file benchmark

    /// `NATS-<space>-v1_0-<hex>.pickle.pbz2`: streamed (each architecture checked and dropped),
    /// decompressed on a second thread ahead of the check (the file is one multi-GB stream).
    static func singleFile(path: String, space: SearchSpaceKind) throws -> String {
        var counts = RunCounts()
        var seen = Set<Int>()
        let meta: NATSSource.Meta
        do {
            var source = try NATSSource(path: path)
            source.jobs = 2
            meta = try source.forEach { item in
                guard item.index >= 0, item.index < space.count else {
                    throw Problem(description: "\(item.location): index \(item.index) is outside the \(space.rawValue) space")
                }
                try architecture(item.results, index: item.index, hp: item.hp, space: space, file: path,
                                 location: item.location, counts: &counts)
                seen.insert(item.index)
            }
        } catch let p as Problem { throw p } catch {
            throw Problem(description: local(error, path))
        }
        try canonicalList(meta, space: space)
        guard seen.count == space.count else {
            throw Problem(description: "arch2infos holds \(seen.count) of the \(space.count) architectures "
                + "(\(space.count - seen.count) missing); the \(seen.count) present are consistent")
        }
        return "meta_archs canonical; all \(space.count) architectures: " + counts.summary
    }
}
