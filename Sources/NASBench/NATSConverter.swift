import HDF5
import NASCore
import NASDataIO
import Pickle

/// `nasdata convert-benchmark` for NATS-Bench: any form `NATSSource` reads (single
/// `.pickle.pbz2`, `-simple` folder, `-simple.tar`), either space, into the HDF5 benchmark
/// (schema v2, root attribute `search_space`), streaming: one architecture's results are
/// alive at a time. hp groups are named as the files spell the keys (`01`, `12`, `90`, `200`);
/// seeds keep each file's own order.
extension BenchmarkConverter {
    /// The space of a NATS architecture string: topology strings start with `|`, size strings
    /// are `C1:C2:C3:C4:C5`.
    static func natsSpace(of arch: String) -> SearchSpaceKind {
        arch.hasPrefix("|") ? .topology : .size
    }

    /// True for a NATS-Bench benchmark in any form (a folder, a tar, or a bz2 file); false for
    /// a NAS-Bench-201 meta file (a torch checkpoint).
    public static func isNATS(_ path: String) throws -> Bool {
        try NATSSource(path: path).form != .tar || path.hasSuffix(".tar")
    }

    /// `jobs` threads decode a folder's or tar's files (and parse their results); the HDF5
    /// file is written in one thread, in the files' order, so the output does not depend on it.
    public static func convertNATS(source path: String, to output: String, deflate: Int? = 4, maxBytes: Int64? = nil,
                                   jobs: Int = 1, progress: Progress? = nil) throws -> Summary {
        var source = try NATSSource(path: path, maxBytes: maxBytes)
        source.jobs = jobs
        var runs: [String: Int] = [:]
        let summary: Summary = try File.writeAtomically(to: output) { file in
            // The space is known from the first architecture string (a single file's list of
            // all of them is complete only at its end); the list is checked against it at the end.
            var writer: BenchmarkWriter?
            func writerFor(_ arch: String) throws -> BenchmarkWriter {
                if let writer { return writer }
                let space = natsSpace(of: arch)
                let w = try BenchmarkWriter(file: file, sourcePath: path, deflate: deflate, searchSpace: space)
                writer = w
                return w
            }
            var lastIndex = -1
            let meta = try source.forEach(transform: { item in
                guard let schedule = Schedule(rawValue: item.hp) else {
                    throw BenchmarkFormatError(file: item.file, location: item.location, reason: "hp key '\(item.hp)' is not an epoch count")
                }
                let results = try ArchResults(pickle: item.results, file: item.file, location: item.location)
                guard results.archIndex == item.index else {
                    throw BenchmarkFormatError(file: item.file, location: item.location,
                                               reason: "arch_index \(results.archIndex) under index \(item.index)")
                }
                return (item: item.index, hp: item.hp, schedule: schedule, results: results)
            }) { parsed in
                let (index, hp, schedule, results) = parsed
                try writerFor(results.archString).append(results, schedule: schedule, sourceKey: hp)
                for d in results.datasetNames { runs["\(hp)/\(d)", default: 0] += results.seeds(of: d)?.count ?? 0 }
                if index != lastIndex { progress?.advance(); lastIndex = index }
            }
            guard let first = meta.metaArchs.first else {
                throw BenchmarkFormatError(file: path, location: "meta_archs", reason: "is empty")
            }
            let out = try writerFor(first)
            guard natsSpace(of: first) == out.searchSpace, meta.metaArchs.count == out.archCount else {
                throw BenchmarkFormatError(file: path, location: "meta_archs", reason:
                    "\(meta.metaArchs.count) architectures starting '\(first)', but the results are of the \(out.searchSpace.rawValue) space (\(out.archCount))")
            }
            for (i, arch) in meta.metaArchs.enumerated() where out.searchSpace.index(of: arch) != i {
                throw BenchmarkFormatError(file: path, location: "meta_archs[\(i)]",
                                           reason: "'\(arch)' is not the \(out.searchSpace.rawValue) architecture of index \(i) (canonical order)")
            }
            try out.finish(metaArchs: meta.metaArchs, evaluatedIndexes: meta.evaluatedIndexes, totalArchs: meta.totalArchs,
                              sourceFormat: "nats-\(source.form.rawValue)")
            return Summary(source: path, sourceFormat: "nats-\(source.form.rawValue)", output: output,
                           metaArchs: meta.metaArchs.count, evaluated: meta.evaluatedIndexes.count, runs: runs)
        }
        progress?.finish()
        return summary
    }
}
