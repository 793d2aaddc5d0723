import HDF5
import NASDataIO

/// Recomputes what an `nb201-dataset` file claims about itself: every set's content
/// digest from its stored images and labels, its count, label range and shapes.
/// Reads one chunk-sized batch at a time (bounded memory). Module Verify calls this.
///
///     let problems = try ImageSetIntegrity.verify(file: "cifar.h5")
///     // [] when every digest, count and label matches
public enum ImageSetIntegrity {
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The HDF5 object (`/cifar10-valid/x-valid`) the problem is in.
        public let object: String
        public let message: String
        public var description: String { "\(object): \(message)" }
    }

    /// Per-set outcome, for reports that list what was checked.
    public struct SetResult: Sendable, Equatable {
        public let set: String
        public let count: Int
        public let storedDigest: String?
        public let computedDigest: String
    }

    public static func verify(file path: String, progress: Progress? = nil) throws -> [Problem] {
        try check(file: path, progress: progress).problems
    }

    /// Checks every set; throws only if the file cannot be opened at all.
    public static func check(file path: String, progress: Progress? = nil) throws -> (problems: [Problem], sets: [SetResult]) {
        let file = try File.open(path)
        defer { file.close() }
        var problems: [Problem] = []
        var results: [SetResult] = []
        let schema = (try file.attribute("nasdata_schema"))?.stringValue
        if schema != ImageSetLayout.schemaName {
            problems.append(Problem(object: "/", message: "root attribute nasdata_schema is \(schema.map { "\"\($0)\"" } ?? "missing"), expected \"\(ImageSetLayout.schemaName)\""))
        }
        let sets = try ImageSetReader.sets(in: file)
        if sets.isEmpty { problems.append(Problem(object: "/", message: "no image sets in the file")) }
        for set in sets {
            do {
                let (setProblems, result) = try checkSet(file: file, set: set, progress: progress)
                problems += setProblems
                results.append(result)
            } catch {
                problems.append(Problem(object: "/" + set, message: "unreadable: \(error)"))
            }
        }
        return (problems, results)
    }

    private static func checkSet(file: File, set: String, progress: Progress?) throws -> ([Problem], SetResult) {
        var problems: [Problem] = []
        let object = "/" + set
        let reader = try ImageSetReader(file: file, set: set)
        let group = try file.openGroup(set)
        let numClasses = reader.classNames.count
        if let declared = (try file.openGroup(String(set.split(separator: "/")[0])).attribute("num_classes"))?.intValue,
           declared != Int64(numClasses) {
            problems.append(Problem(object: object, message: "num_classes is \(declared) but there are \(numClasses) class names"))
        }
        if let shape = (try file.openGroup(String(set.split(separator: "/")[0])).attribute("image_shape"))?.intsValue,
           shape != [Int64(reader.height), Int64(reader.width), 3] {
            problems.append(Problem(object: object, message: "images are \(reader.height)x\(reader.width)x3 but the data set's image_shape is \(shape)"))
        }
        if let stored = (try group.attribute("count"))?.intValue, stored != Int64(reader.count) {
            problems.append(Problem(object: object, message: "count attribute says \(stored), the datasets hold \(reader.count)"))
        }
        var digest = ImageSetDigest()
        var badLabels = 0
        var firstBad: (Int, Int64)?
        var negativeIndex: Int?
        let batch = max(reader.chunkImages, 1)
        for start in stride(from: 0, to: reader.count, by: batch) {
            let b = try reader.readBatch(start: start, count: min(batch, reader.count - start))
            for (i, label) in b.labels.enumerated() where label < 0 || label >= Int64(numClasses) {
                badLabels += 1
                if firstBad == nil { firstBad = (start + i, label) }
            }
            if negativeIndex == nil, let i = b.indices.firstIndex(where: { $0 < 0 }) { negativeIndex = start + i }
            digest.add(labels: b.labels, images: b.images)
            progress?.advance(by: Int64(b.count))
        }
        if let (at, label) = firstBad {
            problems.append(Problem(object: object, message: "\(badLabels) labels outside 0..<\(numClasses) (first: record \(at) = \(label))"))
        }
        if let at = negativeIndex {
            problems.append(Problem(object: object, message: "record \(at) has a negative original index"))
        }
        let stored = (try group.attribute("digest"))?.stringValue
        let algorithm = (try group.attribute("digest_algorithm"))?.stringValue
        if stored == nil {
            problems.append(Problem(object: object, message: "no digest attribute"))
        } else if algorithm != ImageSetDigest.algorithm {
            problems.append(Problem(object: object, message: "unknown digest algorithm \(algorithm ?? "(missing)")"))
        } else if stored != digest.hex {
            problems.append(Problem(object: object, message: "content digest mismatch: stored \(stored!), recomputed \(digest.hex) (images or labels changed)"))
        }
        return (problems, SetResult(set: set, count: reader.count, storedDigest: stored, computedDigest: digest.hex))
    }
}
