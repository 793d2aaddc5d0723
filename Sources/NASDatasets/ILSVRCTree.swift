#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NASDataIO

/// One source image of an ILSVRC tree and its CLS-LOC label (1-based, `map_clsloc.txt`).
public struct ILSVRCImage: Sendable, Equatable {
    /// Full path of the file.
    public var path: String
    /// Path relative to the tree root (`train/n02119789/n02119789_10.JPEG`), for reports.
    public var relativePath: String
    public var label: Int
    /// Index of the image in its original set: for validation images the number in
    /// `ILSVRC2012_val_<n>` minus one; for training images the position in the build order.
    public var originalIndex: Int
}

/// The standard ILSVRC2012 layout: `train/<wnid>/*.JPEG` and `val/*.JPEG` (flat, labels
/// from the devkit ground truth) or `val/<wnid>/*.JPEG` (re-sorted into class folders).
///
/// Order is deterministic and independent of the file system: by label, then by file
/// name (byte order). Listing is per class, so memory grows with one class folder.
public struct ILSVRCTree: Sendable {
    public let root: String
    public let classMap: ILSVRCClassMap
    /// Labels kept: 1...classes.
    public let classes: Int

    public init(root: String, classMap: ILSVRCClassMap, classes: Int) throws {
        guard classes >= 1, classes <= classMap.entries.count else {
            throw IOError.malformed(path: root, offset: nil,
                                    reason: "--classes \(classes) is outside 1...\(classMap.entries.count) (classes in the class map)")
        }
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.classMap = classMap
        self.classes = classes
    }

    /// Image files are recognised by extension (case-insensitive); the content decides the codec.
    static let imageExtensions: Set<String> = ["jpeg", "jpg", "png"]

    static func isImageName(_ name: String) -> Bool {
        guard !name.hasPrefix("."), let dot = name.lastIndex(of: ".") else { return false }
        return imageExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// The training images of one label, sorted by file name.
    public func trainImages(label: Int) throws -> [ILSVRCImage] {
        guard let entry = classMap.entry(label: label) else { return [] }
        let dir = "train/" + entry.wnid
        let names = try Self.listFiles(root + "/" + dir).filter(Self.isImageName)
        return names.map { ILSVRCImage(path: root + "/" + dir + "/" + $0, relativePath: dir + "/" + $0, label: label, originalIndex: -1) }
    }

    /// Number of training images of labels 1...classes, without decoding anything.
    public func countTrainImages() throws -> Int {
        try (1...classes).reduce(0) { $0 + (try trainImages(label: $1).count) }
    }

    /// The validation images with label <= classes, by label then file name.
    ///
    /// - groundTruth: the devkit's `ILSVRC2015_clsloc_validation_ground_truth.txt`
    ///   (line i = label of `ILSVRC2012_val_<i>` in `map_clsloc.txt` numbering; a wnid
    ///   per line is accepted too). Not needed when `val/` has class folders.
    ///   Careful: the ILSVRC2012 devkit's `ILSVRC2012_validation_ground_truth.txt` uses
    ///   the sorted-wnid numbering of `meta.mat`, not `map_clsloc.txt`'s.
    public func valImages(groundTruth: String?) throws -> [ILSVRCImage] {
        let valDir = root + "/val"
        let entries = try Self.listFiles(valDir, includeDirectories: true)
        let classDirs = entries.filter { Self.isDirectory(valDir + "/" + $0) && classMap.label(ofWnid: $0) != nil }
        var images: [ILSVRCImage] = []
        if !classDirs.isEmpty {
            for wnid in classDirs {
                let label = classMap.label(ofWnid: wnid)!
                guard label <= classes else { continue }
                for name in try Self.listFiles(valDir + "/" + wnid).filter(Self.isImageName) {
                    images.append(ILSVRCImage(path: valDir + "/" + wnid + "/" + name, relativePath: "val/\(wnid)/\(name)",
                                              label: label, originalIndex: Self.valNumber(name).map { $0 - 1 } ?? -1))
                }
            }
        } else {
            guard let groundTruth else {
                throw IOError.malformed(path: valDir, offset: nil,
                                        reason: "validation images are not in class folders: give the devkit ground truth (--val-labels)")
            }
            let labels = try Self.readGroundTruth(groundTruth, classMap: classMap)
            for name in entries where Self.isImageName(name) {
                guard let number = Self.valNumber(name) else {
                    throw IOError.malformed(path: valDir + "/" + name, offset: nil,
                                            reason: "not named ILSVRC2012_val_<8 digits>: cannot find its ground-truth label")
                }
                guard number >= 1, number <= labels.count else {
                    throw IOError.malformed(path: valDir + "/" + name, offset: nil,
                                            reason: "image number \(number) has no line in \(groundTruth) (\(labels.count) lines)")
                }
                let label = labels[number - 1]
                guard label <= classes else { continue }
                images.append(ILSVRCImage(path: valDir + "/" + name, relativePath: "val/" + name, label: label, originalIndex: number - 1))
            }
        }
        images.sort { a, b in
            a.label != b.label ? a.label < b.label : Self.nameKey(a.path).lexicographicallyPrecedes(Self.nameKey(b.path))
        }
        return images
    }

    static func nameKey(_ path: String) -> [UInt8] {
        Array((path.split(separator: "/").last.map(String.init) ?? path).utf8)
    }

    /// `ILSVRC2012_val_00000042.JPEG` -> 42.
    static func valNumber(_ name: String) -> Int? {
        guard let underscore = name.lastIndex(of: "_") else { return nil }
        let digits = name[name.index(after: underscore)...].prefix { $0.isNumber }
        return digits.count == 8 ? Int(digits) : nil
    }

    /// One label per line (1-based, `map_clsloc.txt` numbering) or one wnid per line.
    public static func readGroundTruth(_ path: String, classMap: ILSVRCClassMap) throws -> [Int] {
        let bytes = try FileByteStream(path: path).readToEnd(limit: 16 << 20)
        var labels: [Int] = []
        for (number, line) in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let token = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).first.map(String.init)
            guard let token else { continue }
            if let label = Int(token), label >= 1, label <= classMap.entries.count {
                labels.append(label)
            } else if let label = classMap.label(ofWnid: token) {
                labels.append(label)
            } else {
                throw IOError.malformed(path: path, offset: nil,
                                        reason: "line \(number + 1): '\(token)' is neither a label in 1...\(classMap.entries.count) nor a wnid of the class map")
            }
        }
        return labels
    }

    /// Names in a directory, sorted by bytes; regular files only unless asked.
    static func listFiles(_ dir: String, includeDirectories: Bool = false) throws -> [String] {
        guard let d = opendir(dir) else { throw IOError.system(operation: "opendir", path: dir, errno: errno) }
        defer { closedir(d) }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            if includeDirectories || !isDirectory(dir + "/" + name) { names.append(name) }
        }
        return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Reads a whole image file (refusing anything over `limit` bytes).
    static func readFile(_ path: String, limit: Int = 256 << 20) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let n = try readFile(path, into: &bytes, limit: limit)
        bytes.removeLast(bytes.count - n)
        return bytes
    }

    /// Reads a whole image file into the start of `buffer` (grown when too small, never
    /// shrunk: a worker reuses one buffer) and returns its length.
    static func readFile(_ path: String, into buffer: inout [UInt8], limit: Int = 256 << 20) throws -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOError.system(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw IOError.system(operation: "fstat", path: path, errno: errno) }
        let size = Int(st.st_size)
        guard size <= limit else { throw IOError.malformed(path: path, offset: nil, reason: "\(size) bytes is too large for an image") }
        if buffer.count < size { buffer = [UInt8](repeating: 0, count: size) }
        var done = 0
        while done < size {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, size - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw IOError.system(operation: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }
}
