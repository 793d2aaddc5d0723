import EmbeddedFiles
import Foundation
import NASDataIO

/// An official NAS-Bench-201 split file (`cifar-split.txt`, `cifar100-test-split.txt`,
/// `imagenet-16-120-test-split.txt`, `ImageNet16-120-split.txt`): two disjoint,
/// strictly increasing lists of indices into one original set, whose union is
/// `0 ..< total`.
///
/// The file is JSON in AutoDL-Projects' ".config" convention, `"key": [type, values]`
/// with type `"int"` and the values as *decimal strings*:
///
///     {
///       "train"              : ["int"   , ["0", "5", "7", ...]],
///       "valid"              : ["int"   , ["1", "2", "3", ...]]
///     }
///
/// `read` checks all of that and says what is wrong, naming the file.
public struct SplitFile: Sendable, Equatable {
    /// The keys in file order, with their index lists.
    public var lists: [(key: String, indices: [Int])]
    /// Size of the original set the lists index (`max + 1` of the union).
    public var total: Int { lists.reduce(0) { $0 + $1.indices.count } }

    public init(lists: [(key: String, indices: [Int])]) { self.lists = lists }

    public subscript(key: String) -> [Int]? { lists.first { $0.key == key }?.indices }

    public static func == (a: SplitFile, b: SplitFile) -> Bool {
        a.lists.map(\.key) == b.lists.map(\.key) && a.lists.map(\.indices) == b.lists.map(\.indices)
    }

    /// Largest split file accepted (the biggest official one is 1.4 MB).
    public static let maxFileSize = 64 << 20

    public static func read(path: String) throws -> SplitFile {
        try parse(readBytes(path: path), path: path)
    }

    /// The bytes of the file at `path`, refused when larger than `maxFileSize`.
    static func readBytes(path: String) throws -> [UInt8] {
        let stream = try FileByteStream(path: path)
        guard stream.size <= Int64(maxFileSize) else {
            throw IOError.malformed(path: path, offset: nil, reason: "\(stream.size) bytes is too large for a split file")
        }
        return try stream.readToEnd(limit: maxFileSize)
    }

    public static func parse(_ bytes: [UInt8], path: String) throws -> SplitFile {
        func bad(_ reason: String) -> IOError { .malformed(path: path, offset: nil, reason: "not a split file: " + reason) }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw bad("invalid JSON (\(error.localizedDescription))")
        }
        guard let dict = object as? [String: Any] else { throw bad("the top level is not a JSON object") }
        // JSONSerialization forgets key order; recover it from the text (keys are plain ASCII).
        let text = String(decoding: bytes, as: UTF8.self)
        let keys = dict.keys.sorted { (text.range(of: "\"\($0)\"")?.lowerBound ?? text.endIndex) < (text.range(of: "\"\($1)\"")?.lowerBound ?? text.endIndex) }
        guard keys.count == 2 else { throw bad("expected two keys, found \(keys.count) (\(keys.joined(separator: ", ")))") }
        var lists: [(String, [Int])] = []
        for key in keys {
            guard let pair = dict[key] as? [Any], pair.count == 2, let type = pair[0] as? String else {
                throw bad("\"\(key)\" is not a [type, values] pair")
            }
            guard type == "int" else { throw bad("\"\(key)\" has type \"\(type)\", expected \"int\"") }
            guard let values = pair[1] as? [Any] else { throw bad("\"\(key)\" values are not a list") }
            var indices: [Int] = []
            indices.reserveCapacity(values.count)
            for (i, v) in values.enumerated() {
                // AutoDL stores decimal strings; accept plain JSON integers too.
                if let s = v as? String, let n = Int(s) {
                    indices.append(n)
                } else if let n = v as? Int {
                    indices.append(n)
                } else {
                    throw bad("\"\(key)\"[\(i)] is not an integer (\(v))")
                }
                if let last = indices.dropLast().last, indices[indices.count - 1] <= last {
                    throw bad("\"\(key)\" is not strictly increasing at position \(i) (\(last) then \(indices[indices.count - 1]))")
                }
            }
            if let first = indices.first, first < 0 { throw bad("\"\(key)\" has a negative index") }
            lists.append((key, indices))
        }
        let split = SplitFile(lists: lists)
        // Disjoint and covering 0..<total: two sorted lists, merged, must be exactly 0, 1, 2, ...
        var seen = [Bool](repeating: false, count: split.total)
        for (key, indices) in lists {
            for i in indices {
                guard i < seen.count else { throw bad("\"\(key)\" index \(i) is outside 0..<\(seen.count): the lists do not cover 0..<N exactly") }
                guard !seen[i] else { throw bad("index \(i) is in both lists") }
                seen[i] = true
            }
        }
        return split
    }

    /// The file's bytes in AutoDL's layout (key padded to 20 columns, type to 8, no
    /// trailing newline), which is how the official files are written.
    public func serialized() -> [UInt8] {
        var lines: [String] = []
        for (key, indices) in lists {
            let k = ("\"" + key + "\"").padding(toLength: 20, withPad: " ", startingAt: 0)
            let t = "\"int\"".padding(toLength: 8, withPad: " ", startingAt: 0)
            lines.append("  \(k) : [\(t), [" + indices.map { "\"\($0)\"" }.joined(separator: ", ") + "]]")
        }
        return Array(("{\n" + lines.joined(separator: ",\n") + "\n}").utf8)
    }
}

/// Where a build takes NAS-Bench-201's split files from.
public enum SplitSource: Sendable, Equatable {
    /// The official files built into nasdata (`Data/nb201-splits`, module EmbeddedFiles).
    case official
    /// A folder holding files of the official names: a variant, checked against the
    /// official checksums (a mismatch is an error unless the build allows unverified input).
    case directory(String)
    /// No split files, for inputs that are not the official data sets.
    case none

    /// The split file `name`: its bytes and how to name it in messages; nil for `.none`.
    public func read(_ name: String) throws -> (bytes: [UInt8], path: String)? {
        switch self {
        case .none:
            return nil
        case .official:
            guard let bytes = EmbeddedFiles.bytes(EmbeddedFiles.officialSplitsFolder + "/" + name) else {
                throw IOError.malformed(path: name, offset: nil, reason: "not one of the official split files built into nasdata")
            }
            return (bytes, "\(name) (official, built into nasdata)")
        case .directory(let directory):
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            return (try SplitFile.readBytes(path: path), path)
        }
    }
}
