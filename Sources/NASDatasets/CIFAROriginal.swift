import Checksums
import Foundation
import NASDataIO

/// One original CIFAR distribution on disk: a tarball (`cifar-10-python.tar.gz`,
/// `cifar-100-binary.tar.gz`, ... read directly, never extracted) or an extracted
/// folder (`cifar-10-batches-py/` or the folder that contains it).
public final class CIFAROriginal {
    public enum Container: Sendable, Equatable {
        case tarball
        /// The folder holding the data files.
        case folder(String)
    }

    /// One file of the distribution, as `visit` hands it over.
    public enum Item {
        /// The class-name file's bytes.
        case meta(bytes: [UInt8], path: String)
        /// A data file: its stream (valid during the callback), size and where it is.
        case part(CIFARPart, stream: ByteStream, size: Int64, path: String)
    }

    public let path: String
    public let layout: CIFARLayout
    public let container: Container

    /// Largest member read into memory whole (a python batch; CIFAR-100's `train` is 155 MB).
    static let maxPickleSize = 512 << 20

    public init(path: String, variant: CIFARVariant) throws {
        self.path = path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw IOError.system(operation: "open \(variant.displayName) input", path: path, errno: ENOENT)
        }
        if isDir.boolValue {
            let (folder, format) = try Self.findFolder(path, variant: variant)
            layout = CIFARLayout(variant, format)
            container = .folder(folder)
        } else {
            layout = CIFARLayout(variant, try Self.sniffTarball(path, variant: variant))
            container = .tarball
        }
    }

    /// Visits the class-name file and every data file: in member order for a tarball
    /// (one streaming pass), in record order for a folder. Other members are skipped.
    public func visit(_ body: (Item) throws -> Void) throws {
        switch container {
        case .tarball:
            let tar = try TarReader(path: path)
            var seen = Set<String>()
            while let entry = try tar.next() {
                guard entry.isFile, isOurs(entry.name) else { continue }
                let name = entry.baseName
                guard seen.insert(name).inserted else {
                    throw IOError.malformed(path: path, offset: entry.headerOffset, reason: "\(entry.name) appears twice in the archive")
                }
                let where_ = "\(path):\(entry.name)"
                if name == layout.metaFile {
                    try body(.meta(bytes: tar.contents.readToEnd(limit: 1 << 20), path: where_))
                } else if let part = layout.part(forFile: name) {
                    try body(.part(part, stream: tar.contents, size: entry.size, path: where_))
                }
            }
            let missing = ([layout.metaFile] + layout.allParts.map(layout.file(for:))).filter { !seen.contains($0) }
            guard missing.isEmpty else {
                throw IOError.malformed(path: path, offset: nil, reason: "the archive has no \(missing.joined(separator: ", ")) (in \(layout.folder)/)")
            }
        case .folder(let folder):
            let metaPath = folder + "/" + layout.metaFile
            try body(.meta(bytes: FileByteStream(path: metaPath).readToEnd(limit: 1 << 20), path: metaPath))
            for part in layout.allParts {
                let partPath = folder + "/" + layout.file(for: part)
                let stream = try FileByteStream(path: partPath)
                try body(.part(part, stream: stream, size: stream.size, path: partPath))
            }
        }
    }

    /// Members of the distribution's folder (any leading directories accepted, so a
    /// re-packed archive still works).
    private func isOurs(_ name: String) -> Bool {
        let components = name.split(separator: "/")
        return components.count >= 2 && components[components.count - 2] == Substring(layout.folder)
    }

    private static func findFolder(_ dir: String, variant: CIFARVariant) throws -> (String, CIFARFormat) {
        for format in [CIFARFormat.python, .binary] {
            let layout = CIFARLayout(variant, format)
            for candidate in [dir, dir + "/" + layout.folder] {
                if FileManager.default.fileExists(atPath: candidate + "/" + layout.trainFiles[0]) {
                    return (candidate, format)
                }
            }
        }
        let py = CIFARLayout(variant, .python), bin = CIFARLayout(variant, .binary)
        throw IOError.malformed(path: dir, offset: nil,
                                reason: "not an extracted \(variant.displayName) folder: no \(py.trainFiles[0]) (python) or \(bin.trainFiles[0]) (binary), here or in \(py.folder)/ or \(bin.folder)/")
    }

    /// Python or binary, from the folder name of the first recognisable member.
    private static func sniffTarball(_ path: String, variant: CIFARVariant) throws -> CIFARFormat {
        let tar = try TarReader(path: path)
        let python = CIFARLayout(variant, .python), binary = CIFARLayout(variant, .binary)
        let otherVariant: CIFARVariant = variant == .cifar10 ? .cifar100 : .cifar10
        let otherFolders = [CIFARLayout(otherVariant, .python).folder, CIFARLayout(otherVariant, .binary).folder]
        var sawOther = false
        while let entry = try tar.next() {
            let top = entry.name.split(separator: "/").map(String.init)
            if top.contains(python.folder) { return .python }
            if top.contains(binary.folder) { return .binary }
            if top.contains(where: otherFolders.contains) { sawOther = true }
        }
        let hint = sawOther ? " (it is \(otherVariant.displayName): pass it with --\(otherVariant.rawValue))" : ""
        throw IOError.malformed(path: path, offset: nil,
                                reason: "no \(python.folder)/ or \(binary.folder)/ folder in the archive: not \(variant.displayName)\(hint)")
    }
}
