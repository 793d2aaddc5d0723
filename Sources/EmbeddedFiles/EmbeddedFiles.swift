import CEmbeddedFiles

/// Files the nasdata executable carries inside itself, so a binary copied anywhere works
/// like the one in `.build/`: the layout schemas (`Schemas/*.json`) and NAS-Bench-201's
/// official split files (`Data/nb201-splits/*.txt`). The repository's files are the
/// source of truth; `Tools/embed-resources.py` generates the C table this reads, and
/// `EmbeddedFilesTests` fails when the two differ.
public enum EmbeddedFiles {
    /// Every embedded file's path, relative to the repository root.
    public static var paths: [String] {
        (0..<nasdata_embedded_file_count()).compactMap { entry($0).map { String(cString: $0.path) } }
    }

    /// The bytes of the embedded file at `path` (e.g. "Schemas/nb201-dataset.v1.json").
    public static func bytes(_ path: String) -> [UInt8]? {
        for i in 0..<nasdata_embedded_file_count() {
            guard let file = entry(i), String(cString: file.path) == path else { continue }
            return Array(UnsafeBufferPointer(start: file.bytes, count: Int(file.length)))
        }
        return nil
    }

    /// The names of the files directly in `folder` ("Schemas"), sorted.
    public static func names(in folder: String) -> [String] {
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        return paths.filter { $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains("/") }
            .map { String($0.dropFirst(prefix.count)) }.sorted()
    }

    /// Folder of the official NAS-Bench-201 split files.
    public static let officialSplitsFolder = "Data/nb201-splits"

    private static func entry(_ i: UInt) -> nasdata_embedded_file? {
        nasdata_embedded_file_at(i)?.pointee
    }
}
