import NASDataIO
import Pickle
import Tensors
import NASCore
import TorchFormats

/// Decodes one input weight file into the runs it holds:
///
/// - NAS-Bench-201 `{index:06d}-FULL.pth` (NAS-BENCH-201.md section 4): `{'full': ArchResults-dict,
///   'less': ArchResults-dict}`, each with `all_results[(dataset, seed)]` = ResultsCount-dict
///   holding `net_state_dict`;
/// - NATS-Bench `{index:06d}.pickle.pbz2` of a `-full` folder: a bz2 stream of a protocol-4
///   pickle of `OrderedDict{hp: ArchResults.state_dict()}` (hp `12`/`200` tss, `01`/`12`/`90`
///   sss), the same ArchResults dicts, tensors as `_load_from_bytes` storages. The bz2 stream is
///   decompressed as it is parsed (capped: `Bzip2Reader.defaultCap`), and `arch_str` must be the
///   canonical string of the file's index in its space.
///
/// The non-weight results are kept generically (every field of the
/// ResultsCount-dict except `net_state_dict`, converted to JSON), so a field the
/// archive does not know about is still preserved.
public enum FullFile {
    /// Hashes (if not done on the way in) and decodes one materialized input member.
    static func decode(_ member: MaterializedMember, name: String, expectedIndex: Int?, files: WeightFiles) throws -> SourceRecord {
        let (md5, size) = try member.digest()
        return try decode(path: member.path, name: name, size: size, md5: md5, expectedIndex: expectedIndex, files: files)
    }

    /// Loads `path` (NAS-Bench-201: legacy or zip torch format; NATS-Bench: bz2 pickle); `name`
    /// is what errors and the archive call it (the tar member name, or the file name).
    public static func decode(path: String, name: String, size: Int64, md5: [UInt8], expectedIndex: Int?,
                              files: WeightFiles = .nasBench201) throws -> SourceRecord {
        func bad(_ reason: String) -> ArchiveError { .badInput(member: name, reason: reason) }
        let root: PickleValue
        let hpKeys: String
        switch files {
        case .nasBench201:
            hpKeys = "'full' and 'less'"
            do {
                root = try TorchCheckpoint.load(path: path)
            } catch {
                throw bad("not a readable torch checkpoint: \(error)")
            }
        case .nats(let space):
            hpKeys = space.schedules.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            do {
                root = try AnyFile.load(path: path, kind: .pickleBz2).value
            } catch {
                // The error names `path` (for a tar member an in-memory /proc/self/fd/N): say it once, by `name`.
                let text = "\(error)"
                let detail = text.hasPrefix(path) ? String(text.dropFirst(path.count)) : ": " + text
                throw bad("not a readable NATS-Bench bz2 pickle" + (detail.hasPrefix(":") || detail.hasPrefix(" (") ? detail : ": " + detail))
            }
        }
        guard root.dict != nil else { throw bad("top level is \(root.typeName), not a dict of \(hpKeys) -> ArchResults") }

        var archIndex: Int?
        var archStr: String?
        var runs: [RunRecord] = []
        for (hpKey, hpValue) in root.dictItems! {
            guard let key = hpKey.string, let hp = schedule(key, files)?.epochs else {
                throw bad("unexpected top-level key \(hpKey.shortDescription) (want \(hpKeys))")
            }
            guard hpValue.dict != nil else { throw bad("['\(key)'] is \(hpValue.typeName), not an ArchResults dict") }
            guard let index = hpValue["arch_index"].int, let str = hpValue["arch_str"].string else {
                throw bad("['\(key)'] has no arch_index / arch_str")
            }
            if let archIndex, archIndex != index { throw bad("its hp entries name different architectures (\(archIndex), \(index))") }
            archIndex = index
            archStr = str
            guard let results = hpValue["all_results"].dictItems else {
                throw bad("['\(key)']['all_results'] is \(hpValue["all_results"].typeName), not a dict")
            }
            for (runKey, result) in results {
                guard let pair = runKey.tuple, pair.count == 2, let dataset = pair[0].string, let seed = pair[1].int else {
                    throw bad("['\(key)']['all_results'] key \(runKey.shortDescription) is not (dataset, seed)")
                }
                guard ArchiveLayout.datasetNames.contains(dataset) else {
                    throw bad("['\(key)']['all_results'][\(runKey.shortDescription)]: unknown dataset \"\(dataset)\"")
                }
                guard result.dict != nil else {
                    throw bad("['\(key)']['all_results'][\(runKey.shortDescription)] is \(result.typeName), not a ResultsCount dict")
                }
                let weights = result["net_state_dict"]
                let stateDict: StateDict
                do {
                    stateDict = weights.isNone ? StateDict() : try weights.stateDict()
                } catch {
                    throw bad("weights of \(key) \(runKey.shortDescription): \(error)")
                }
                var fields: [(String, JSONValue)] = []
                for (k, v) in result.dictItems! where k.string != "net_state_dict" {
                    fields.append((k.string ?? k.shortDescription, PickleJSON.convert(v)))
                }
                runs.append(RunRecord(hp: hp, dataset: dataset, seed: seed, stateDict: stateDict,
                                      resultsJSON: Array(ArchiveJSON.encode(.object(fields)).utf8)))
            }
        }
        guard let archIndex, let archStr else { throw bad("no results (no \(hpKeys) entry)") }
        if let expectedIndex, expectedIndex != archIndex {
            throw bad("the file name says architecture \(expectedIndex) but the file holds architecture \(archIndex)")
        }
        if case .nats(let space) = files {
            guard let canonical = space.architectureString(at: archIndex) else {
                throw bad("arch_index \(archIndex) is not an index of the \(space.rawValue) space (0..<\(space.count))")
            }
            guard canonical == archStr else {
                throw bad("arch_str '\(archStr)' is not the \(space.rawValue) architecture of index \(archIndex) ('\(canonical)')")
            }
        }
        return SourceRecord(name: name, size: size, md5: md5, archIndex: archIndex, archStr: archStr, runs: runs)
    }

    /// An hp key of the files: `full`/`less` (or `200`/`12`) for NAS-Bench-201, one of the
    /// space's schedules as NATS-Bench spells them (`01`, `12`, `90`, `200`).
    static func schedule(_ key: String, _ files: WeightFiles) -> Schedule? {
        switch files {
        case .nasBench201: return Schedule(nasBench201: key)
        case .nats(let space):
            guard let s = Schedule(rawValue: key), s.rawValue == key, space.schedules.contains(s) else { return nil }
            return s
        }
    }
}

/// Pickled Python values as JSON: dict keys become strings (`777`, `x-valid@199`,
/// tuples as `a|b`), numpy scalars become numbers, sets and tuples become arrays.
enum PickleJSON {
    static func convert(_ v: PickleValue) -> JSONValue {
        switch v {
        case .none: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(Int64(i))
        case .bigInt(let b): return .string(b.description)
        case .float(let d): return .double(d)
        case .string, .bytes: return .string(v.string ?? "")
        case .numpyScalar(let s):
            if let i = s.intValue, s.dtype.kind != "f" { return .int(Int64(i)) }
            return s.doubleValue.map(JSONValue.double) ?? .string(v.shortDescription)
        case .list, .tuple, .set: return .array((v.list ?? []).map(convert))
        case .dict:
            return .object(v.dictItems!.map { (key($0.key), convert($0.value)) })
        case .tensor(let t): return .object([("tensor_shape", .array(t.shape.map { .int(Int64($0)) }))])
        case .ndarray(let a): return .object([("ndarray_shape", .array(a.shape.map { .int(Int64($0)) }))])
        default: return .string(v.shortDescription)
        }
    }

    static func key(_ k: PickleValue) -> String {
        if let s = k.string { return s }
        if let t = k.tuple { return t.map(key).joined(separator: "|") }
        return k.shortDescription
    }
}
