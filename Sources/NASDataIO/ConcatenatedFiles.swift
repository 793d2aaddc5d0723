#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An ordered list of files read as one stream, as `cat part1 part2 ...` would, for
/// archives distributed as split parts (`archive.taraa`, `archive.tarab`, ...).
///
/// Every part must exist when the stream is created (a missing part is reported up
/// front, not 100 GB in). One part is open at a time. `skip` seeks, crossing parts.
/// `locate(offset)` turns a stream offset into "part file, byte", so a tar error deep
/// inside a 226 GB archive names the part to re-download.
public final class ConcatenatedFiles: ByteStream, LocatableStream {
    public let parts: [String]
    /// Sizes of the parts when the stream was created.
    public let partSizes: [Int64]
    public var path: String {
        parts.count == 1 ? parts[0] : "\(parts[0]) .. \(parts[parts.count - 1]) (\(parts.count) parts)"
    }
    public private(set) var offset: Int64 = 0
    public var totalSize: Int64 { partSizes.reduce(0, +) }

    private var index = 0
    private var file: FileByteStream?

    public init(parts: [String]) throws {
        guard !parts.isEmpty else {
            throw IOError.malformed(path: "(no files)", offset: nil, reason: "an empty list of parts")
        }
        var sizes: [Int64] = []
        for part in parts {
            var st = stat()
            guard stat(part, &st) == 0 else { throw IOError.system(operation: "stat (part of a split archive)", path: part, errno: errno) }
            sizes.append(Int64(st.st_size))
        }
        self.parts = parts
        self.partSizes = sizes
    }

    /// The parts of a split archive: files in `base`'s directory named `base` plus a
    /// suffix of two or more lower-case letters (what `split` writes: `aa`, `ab`, ...,
    /// `zaaa`), in name order, which is split's order. Throws if there are none.
    public static func discoverParts(of base: String) throws -> [String] {
        let dir: String
        let stem: String
        if let slash = base.lastIndex(of: "/") {
            dir = String(base[...slash])
            stem = String(base[base.index(after: slash)...])
        } else {
            dir = ""
            stem = base
        }
        guard let handle = opendir(dir.isEmpty ? "." : dir) else {
            throw IOError.system(operation: "list directory", path: dir.isEmpty ? "." : dir, errno: errno)
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            guard name.hasPrefix(stem) else { continue }
            let suffix = name.dropFirst(stem.count)
            if suffix.count >= 2, suffix.utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }) {
                names.append(name)
            }
        }
        guard !names.isEmpty else {
            throw IOError.system(operation: "find split parts (\(stem)aa, \(stem)ab, ...)", path: base, errno: ENOENT)
        }
        return names.sorted().map { dir + $0 }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while index < parts.count {
            if file == nil { file = try FileByteStream(path: parts[index]) }
            let got = try file!.read(into: buffer)
            if got > 0 {
                offset += Int64(got)
                return got
            }
            file = nil
            index += 1
        }
        return 0
    }

    public func skip(_ count: Int64) throws {
        var left = count
        while left > 0 {
            guard index < parts.count else {
                throw IOError.truncated(path: path, offset: offset, reason: "the last part ends \(left) bytes before the end of a \(count)-byte skip")
            }
            if file == nil { file = try FileByteStream(path: parts[index]) }
            let here = file!.size - file!.offset
            if here <= 0 {
                file = nil
                index += 1
                continue
            }
            let step = min(here, left)
            try file!.skip(step)
            offset += step
            left -= step
        }
    }

    public func locate(_ offset: Int64) -> String? {
        var start: Int64 = 0
        for (part, size) in zip(parts, partSizes) {
            if offset < start + size { return "\(part) byte \(offset - start)" }
            start += size
        }
        return parts.last.map { "end of \($0)" }
    }
}
