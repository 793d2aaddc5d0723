import NASDataIO

/// The CLS-LOC class list of the ILSVRC devkit, `map_clsloc.txt`: one line per class,
/// `<wnid> <label> <name>` (`n02119789 1 kit_fox`), labels 1...1000.
///
/// Downsampled ImageNet (and so ImageNet16-120) numbers classes in this file's
/// order, not in sorted-wnid order (the ILSVRC2012 devkit's `meta.mat` order):
/// label 120 is `n02397096 warthog`.
public struct ILSVRCClassMap: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var wnid: String
        public var label: Int
        public var name: String
    }

    /// Sorted by label; `entries[i].label == i + 1`.
    public var entries: [Entry]
    private var byWnid: [String: Int]

    public init(entries: [Entry]) {
        self.entries = entries.sorted { $0.label < $1.label }
        byWnid = Dictionary(uniqueKeysWithValues: self.entries.map { ($0.wnid, $0.label) })
    }

    public func label(ofWnid wnid: String) -> Int? { byWnid[wnid] }
    public func entry(label: Int) -> Entry? { label >= 1 && label <= entries.count ? entries[label - 1] : nil }

    public static func read(path: String) throws -> ILSVRCClassMap {
        let stream = try FileByteStream(path: path)
        let bytes = try stream.readToEnd(limit: 16 << 20)
        return try parse(String(decoding: bytes, as: UTF8.self), path: path)
    }

    /// Checks: three fields a line, wnid `n` + digits, labels exactly 1...N once each.
    public static func parse(_ text: String, path: String) throws -> ILSVRCClassMap {
        var entries: [Entry] = []
        var seenWnids = Set<String>()
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            func bad(_ reason: String) -> IOError {
                .malformed(path: path, offset: nil, reason: "line \(number + 1): \(reason) (expected '<wnid> <label> <name>', as in 'n02119789 1 kit_fox')")
            }
            guard fields.count >= 3 else { throw bad("\(fields.count) fields") }
            let wnid = String(fields[0])
            guard wnid.first == "n", wnid.dropFirst().allSatisfy(\.isNumber), wnid.count > 1 else { throw bad("'\(wnid)' is not a WordNet id") }
            guard let label = Int(fields[1]), label >= 1 else { throw bad("'\(fields[1])' is not a label >= 1") }
            guard seenWnids.insert(wnid).inserted else { throw bad("\(wnid) listed twice") }
            entries.append(Entry(wnid: wnid, label: label, name: fields[2...].joined(separator: " ")))
        }
        guard !entries.isEmpty else { throw IOError.malformed(path: path, offset: nil, reason: "no classes listed") }
        let labels = entries.map(\.label).sorted()
        guard labels == Array(1...entries.count) else {
            throw IOError.malformed(path: path, offset: nil, reason: "labels are not exactly 1...\(entries.count), each once")
        }
        return ILSVRCClassMap(entries: entries)
    }
}
