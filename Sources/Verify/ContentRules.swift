#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import HDF5
import NASDataIO
import ImageCodecs
import TorchFormats

/// Verdicts by content, for files no name rule claims (and foreign HDF5 files): the
/// first bytes say what the file is, and the reader nasdata has for that format reads
/// it completely, comparing whatever the format records about itself. The rule column
/// names the check ("content: torch zip checkpoint, all tensors read"); content with no
/// reader stays `unchecked`.
enum ContentRules {
    enum Content: Equatable {
        case torchZip, torchLegacy, pickle, npy, safetensors, hdf5, tar, gzip, tarGzip, bzip2, zip, jpeg, png

        var rule: String {
            switch self {
            case .torchZip: return "content: torch zip checkpoint, all tensors read"
            case .torchLegacy: return "content: torch legacy checkpoint, all tensors read"
            case .pickle: return "content: pickle parsed to STOP, nothing executed"
            case .npy: return "content: .npy header and size"
            case .safetensors: return "content: safetensors header, offsets, sizes"
            case .hdf5: return "content: HDF5, every dataset read through its filters"
            case .tar: return "content: tar header checksums, member sizes, end blocks"
            case .gzip: return "content: gzip CRC-32 and length of every member"
            case .tarGzip: return "content: tar.gz, gzip CRC-32s + tar headers, sizes, end blocks"
            case .bzip2: return "content: bzip2 block and stream CRCs"
            case .zip: return "content: zip, every entry's CRC-32 and size"
            case .jpeg: return "content: JPEG full decode"
            case .png: return "content: PNG full decode"
            }
        }

        var kind: String {
            switch self {
            case .torchZip: return "torch zip checkpoint"
            case .torchLegacy: return "torch legacy checkpoint"
            case .pickle: return "pickle"
            case .npy: return "numpy .npy"
            case .safetensors: return "safetensors"
            case .hdf5: return "HDF5 file"
            case .tar: return "tar archive"
            case .gzip: return "gzip file"
            case .tarGzip: return "tar.gz archive"
            case .bzip2: return "bzip2 file"
            case .zip: return "zip archive"
            case .jpeg: return "JPEG image"
            case .png: return "PNG image"
            }
        }
    }

    /// Extensions under which a protocol 0/1 pickle (text-like opcodes) is recognised;
    /// by content alone only binary pickles (protocol 2+) are.
    static let pickleExtensions: Set<String> = ["pkl", "pickle", "pth", "pt"]

    /// Images larger than this are not decoded (a decode holds the whole file and its pixels).
    static let maxImageFileBytes: Int64 = 256 << 20

    /// What the first bytes say the file is (nil: nothing nasdata reads).
    static func sniff(path: String, ext: String) -> Content? {
        let head = StructureChecks.readHead(path, count: 1024)
        guard !head.isEmpty else { return nil }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            return isTorchZip(path, head: head) ? .torchZip : .zip
        }
        if head.starts(with: [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]) { return .hdf5 }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.starts(with: [0x1F, 0x8B]) { return StreamVerification.gzipHoldsTar(path: path) ? .tarGzip : .gzip }
        if head.count >= 4, head.starts(with: Array("BZh".utf8)), (0x31...0x39).contains(head[3]) { return .bzip2 }
        if head.count >= 262, Array(head[257..<262]) == Array("ustar".utf8) { return .tar }
        if let kind = try? AnyFile.sniff(path: path) {
            switch kind {
            case .npy: return .npy
            case .safetensors: return .safetensors
            case .torchLegacy: return .torchLegacy
            case .torchZip: return .torchZip
            case .pickleBz2: return .bzip2  // not reached: "BZh" is recognised above
            case .pickle:
                // Binary pickles by content; text-protocol ones only under a pickle's name.
                if head[0] == 0x80, head.count > 1, (2...5).contains(head[1]) { return .pickle }
                return pickleExtensions.contains(ext) ? .pickle : nil
            }
        }
        return nil
    }

    static func isHDF5(_ path: String) -> Bool {
        StructureChecks.readHead(path, count: 8) == [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
    }

    /// A zip holding `data.pkl`: by its central directory, or (when that is lost, as in a
    /// truncated download) by the first local header, where torch writes `<name>/data.pkl`.
    static func isTorchZip(_ path: String, head: [UInt8]) -> Bool {
        func isPickleEntry(_ name: String) -> Bool { name == "data.pkl" || name.hasSuffix("/data.pkl") }
        if let zip = try? ZipReader(path: path) { return zip.entries.contains { isPickleEntry($0.name) } }
        guard head.count >= 30 else { return false }
        let nameLength = Int(head[26]) | Int(head[27]) << 8
        guard head.count >= 30 + nameLength else { return false }
        return isPickleEntry(String(decoding: head[30..<30 + nameLength], as: UTF8.self))
    }

    /// Checks `path` by content if it is recognised; false (report untouched) otherwise.
    static func check(path: String, ext: String, report r: inout FileReport) -> Bool {
        guard let content = sniff(path: path, ext: ext) else { return false }
        check(path: path, as: content, report: &r)
        return true
    }

    static func check(path: String, as content: Content, report r: inout FileReport) {
        if r.kind == "unknown" || r.kind == "HDF5 file" || r.kind.hasSuffix("(by name)") { r.kind = content.kind }
        r.rule = content.rule
        do {
            switch content {
            case .torchZip, .torchLegacy:
                let s = try ContentVerification.checkpoint(path: path)
                let crcs = s.format == .zip ? "\(s.entriesChecked) zip entries' CRC-32 match; " : ""
                r.pass("\(crcs)\(s.tensors) tensor(s), \(s.tensorBytes) bytes, read")
            case .pickle:
                let nodes = try ContentVerification.pickle(path: path)
                r.pass("\(nodes) value(s) parsed to STOP, no bytes after it")
            case .npy:
                let (shape, descr, bytes) = try NPY.verify(path: path)
                r.pass("shape \(shape) of \(descr): \(bytes) data bytes, file ends with them")
            case .safetensors:
                let (tensors, bytes) = try ContentVerification.safetensors(path: path)
                r.pass("\(tensors) tensor(s), \(bytes) data bytes, offsets contiguous, file ends with them")
            case .hdf5:
                StructureChecks.hdf5(path: path, report: &r)   // nasdata's outputs by schema, others by content
            case .tar, .tarGzip:
                let (members, bytes) = try StreamVerification.tar(path: path)
                r.pass("\(members) member(s), \(bytes) data bytes; header checksums and end blocks ok")
            case .gzip:
                let bytes = try StreamVerification.gzip(path: path)
                r.pass("\(bytes) bytes decompressed; every member's CRC-32 and length match")
            case .bzip2:
                let bytes = try StreamVerification.bzip2(path: path)
                r.pass("\(bytes) bytes decompressed; every block's and stream's CRC match")
            case .zip:
                let (entries, bytes) = try ContentVerification.zip(path: path)
                r.pass("\(entries) entr\(entries == 1 ? "y" : "ies"), \(bytes) bytes; every CRC-32 and size match")
            case .jpeg, .png:
                let size = FileWalker.size(path)
                guard size <= maxImageFileBytes else {
                    r.skip("image of \(size) bytes is larger than the \(maxImageFileBytes >> 20) MB decode limit")
                    return
                }
                guard let data = FileManager.default.contents(atPath: path) else {
                    r.fail("cannot read: \(String(cString: strerror(errno)))")
                    return
                }
                let image = try ImageDecoder().decode(Array(data), path: path)
                r.pass("decodes: \(image.width)x\(image.height)")
            }
        } catch {
            r.fail(oneLine(error))
        }
    }

    /// A foreign HDF5 file: opens, and every dataset reads through its filters.
    static func hdf5(path: String, report r: inout FileReport) {
        r.rule = Content.hdf5.rule
        do {
            let file = try File.open(path)
            defer { file.close() }
            let s = try file.readEveryDataset()
            if !s.notRead.isEmpty && s.missingFilters.isEmpty {
                r.skip("\(s.notRead.count) dataset(s) declare over \(ContentCheckSummary.maxExpansion)x the bytes the file "
                    + "stores for them, or elements over 8 MB (sparse or hostile), e.g. \(s.notRead[0]): not read; "
                    + "\(s.datasetsRead) other dataset(s) read ok")
            } else if s.missingFilters.isEmpty {
                r.pass("\(s.datasetsRead) dataset(s) in \(s.groups) group(s), \(s.bytesRead) bytes, read through their filters")
            } else {
                let first = s.missingFilters[0]
                r.skip("\(s.missingFilters.count) dataset(s) need filter(s) this libhdf5 lacks, e.g. \(first.dataset): "
                    + "\(first.filter); \(s.datasetsRead) other dataset(s) read ok")
            }
        } catch {
            r.fail(oneLine(error))
        }
    }

    /// The first line of an error (HDF5 errors carry the library's stack on later lines).
    static func oneLine(_ error: Error) -> String {
        if let e = error as? HDF5Error {
            let cause = e.stack.last.map { "; HDF5: \($0)" } ?? ""
            return "\(e.object.map { "\($0): " } ?? "")\(e.message)\(cause)"
        }
        let text = "\(error)"
        return text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? text
    }
}
