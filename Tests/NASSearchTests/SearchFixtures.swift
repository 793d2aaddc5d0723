import FixtureSupport
import Foundation
import NASBench
import NASCore
import NASDataIO
import NASSearch

/// The search fixture (Tests/Fixtures/search): an NB201 v1.1-layout meta file covering all 15,625 cells,
/// converted once into an HDF5 benchmark (cached in the temp directory by the fixture's size, since the
/// conversion of 125,000 runs takes a while in a debug build), and upstream's recorded traces.
enum SearchFixtures {
    static let directory = Repository.fixtures("search")

    static func gunzip(_ path: String) throws -> Data {
        Data(try GzipReader(path: path).readToEnd(limit: 1 << 30))
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cached: String?

    /// The converted benchmark (HDF5 path).
    static func benchmarkPath() throws -> String {
        lock.lock(); defer { lock.unlock() }
        if let cached { return cached }
        let gz = directory.appendingPathComponent("search-bench.pth.gz").path
        let size = (try FileManager.default.attributesOfItem(atPath: gz)[.size] as? NSNumber)?.intValue ?? 0
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("nasdata-test-cache")
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        let h5 = cache.appendingPathComponent("search-bench-\(size).h5").path
        if !FileManager.default.fileExists(atPath: h5) {
            let pth = cache.appendingPathComponent("search-bench-\(size)-\(getpid()).pth").path
            try gunzip(gz).write(to: URL(fileURLWithPath: pth))
            defer { try? FileManager.default.removeItem(atPath: pth) }
            _ = try BenchmarkConverter.convert(metaFile: pth, to: h5)
        }
        cached = h5
        return h5
    }

    nonisolated(unsafe) private static var simulators: [SearchDataset: SimulatedBenchmark] = [:]

    static func simulator(_ dataset: SearchDataset) throws -> SimulatedBenchmark {
        let path = try benchmarkPath()
        lock.lock(); defer { lock.unlock() }
        if let s = simulators[dataset] { return s }
        let s = try SimulatedBenchmark(benchmark: try Benchmark(path: path), dataset: dataset)
        simulators[dataset] = s
        return s
    }

    /// Upstream's traces: [{algorithm, dataset, time_budget, runs: [{seed, evaluations, best_index,
    /// test_accuracy, trace: [[index, reward, cost, total, best], ...]}]}].
    static func upstreamTraces() throws -> [[String: Any]] {
        let data = try gunzip(directory.appendingPathComponent("upstream-traces.json.gz").path)
        return try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
    }

    static var scratch: URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nassearch-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
