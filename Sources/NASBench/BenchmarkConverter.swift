import HDF5
import NASDataIO
import Pickle
import TorchFormats
import NASCore

/// `nasdata convert-benchmark`: a NAS-Bench-201 meta file (`.pth`, legacy or zip) to the HDF5
/// benchmark, streaming.
///
/// The unpickler's dict-item hook takes every `'full'` / `'less'` ArchResults dict as soon as
/// it is complete, converts it into rows of the output and drops it, so only one
/// architecture's results are alive at a time; what stays in the tree is `meta_archs`,
/// `evaluated_indexes` and a skeleton of empty per-architecture dicts.
public enum BenchmarkConverter {
    public struct Summary: Sendable, Codable {
        public var source: String
        public var sourceFormat: String
        public var output: String
        public var metaArchs: Int
        public var evaluated: Int
        /// Runs written per "hp/dataset" table.
        public var runs: [String: Int]
    }

    public static func convert(metaFile: String, to output: String, deflate: Int? = 4,
                               progress: Progress? = nil) throws -> Summary {
        let format = try TorchCheckpoint.format(of: metaFile)
        var runs: [String: Int] = [:]
        var written: [Schedule: Set<Int>] = [:]
        let summary: Summary = try File.writeAtomically(to: output) { file in
            let writer = try BenchmarkWriter(file: file, sourcePath: metaFile, deflate: deflate)
            let root = try TorchCheckpoint.load(path: metaFile) { item in
                guard case .string(let key) = item.key, key == "full" || key == "less",
                      item.value["all_results"].dict != nil, item.value["arch_index"].int != nil else { return .keep }
                let schedule: Schedule = key == "full" ? .twoHundred : .twelve
                let index = item.value["arch_index"].int!
                let results = try ArchResults(pickle: item.value, file: metaFile,
                                              location: "arch2infos[\(index)]['\(key)']")
                try writer.append(results, schedule: schedule)
                written[schedule, default: []].insert(results.archIndex)
                for d in results.datasetNames { runs["\(schedule.rawValue)/\(d)", default: 0] += results.seeds(of: d)?.count ?? 0 }
                if schedule == .twoHundred { progress?.advance() }
                return .drop
            }
            let ctx = DecodeContext(file: metaFile, location: "top-level dict")
            guard root.dict != nil else { throw ctx.error("the meta file holds \(root.typeName), not a dict") }
            guard let metaList = root["meta_archs"].list else { throw ctx.error("no 'meta_archs' list") }
            let metaArchs = try metaList.enumerated().map { i, v -> String in
                guard let s = v.string else { throw ctx.error("meta_archs[\(i)] is \(v.typeName), not str") }
                return s
            }
            guard let evaluatedList = root["evaluated_indexes"].list else { throw ctx.error("no 'evaluated_indexes' list") }
            let evaluated = try evaluatedList.map { v -> Int in
                guard let i = v.int else { throw ctx.error("'evaluated_indexes' holds \(v.typeName)") }
                return i
            }
            guard let arch2infos = root["arch2infos"].dictItems else { throw ctx.error("no 'arch2infos' dict") }
            // Every arch2infos entry must have been converted under both schedules, under its own index.
            for (key, _) in arch2infos {
                guard let index = key.int else { throw ctx.error("arch2infos key \(key.shortDescription) is not an int") }
                for schedule in Schedule.nasBench201 where !(written[schedule]?.contains(index) ?? false) {
                    throw BenchmarkFormatError(file: metaFile, location: "arch2infos[\(index)]",
                                               reason: "no '\(schedule.fileKey)' results with arch_index \(index)")
                }
            }
            for schedule in Schedule.nasBench201 where (written[schedule]?.count ?? 0) != arch2infos.count {
                throw BenchmarkFormatError(file: metaFile, location: "arch2infos",
                                           reason: "\(arch2infos.count) entries but \(written[schedule]?.count ?? 0) '\(schedule.fileKey)' results")
            }
            try writer.finish(metaArchs: metaArchs, evaluatedIndexes: evaluated, totalArchs: root["total_archs"].int,
                              sourceFormat: format.rawValue)
            return Summary(source: metaFile, sourceFormat: format.rawValue, output: output, metaArchs: metaArchs.count,
                           evaluated: evaluated.count, runs: runs)
        }
        progress?.finish()
        return summary
    }
}
