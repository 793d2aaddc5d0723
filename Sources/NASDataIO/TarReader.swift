/// Reads a tar archive front to back from any byte stream, one member at a time,
/// without extracting anything and in bounded memory.
///
///     let tar = try TarReader(path: "cifar-10-python.tar.gz")   // gzip sniffed
///     while let entry = try tar.next() {
///         guard entry.isFile else { continue }
///         let bytes = try tar.contents.readToEnd(limit: 1 << 30)  // or stream it
///     }
///
/// Formats: POSIX ustar (with `prefix`), GNU (`L`/`K` long names and links, base-256
/// sizes over 8 GiB), pax extended headers (`x`: `path`, `linkpath`, `size`, `mtime`;
/// global `g` headers are skipped) and old v7 headers. GNU sparse files and
/// multi-volume members are refused. The data of a member not read is skipped when
/// `next()` is called (by seeking, when the source is an uncompressed file).
///
/// Errors name the file and the byte offset in the tar stream (for a `.tar.gz`, in the
/// decompressed stream; gzip's own errors give the compressed offset).
public final class TarReader {
    public let source: ByteStream
    /// The member `next()` returned last, whose data `contents` reads.
    public private(set) var current: TarEntry?
    private var remaining: Int64 = 0   // unread data bytes of `current`
    private var padding: Int64 = 0     // zero bytes after the data, to the next 512 boundary
    private var generation = 0
    private var ended = false

    /// Longest GNU long name or pax header accepted: bounds memory on corrupt input.
    public static let maxExtendedHeaderSize = 1 << 20

    public init(_ source: ByteStream) {
        self.source = source
    }

    /// Opens `path`, inflating it on the fly when it starts with the gzip magic.
    public convenience init(path: String) throws {
        let file = try FileByteStream(path: path)
        var magic = [UInt8](repeating: 0, count: 2)
        let isGzip = try file.size >= 2 && {
            let n = try magic.withUnsafeMutableBytes { try file.read(into: $0) }
            return n == 2 && magic == [0x1f, 0x8b]
        }()
        file.close()
        self.init(isGzip ? try GzipReader(path: path) : try FileByteStream(path: path))
    }

    /// The data of the current member as a stream, valid until the next `next()`.
    public var contents: ByteStream { TarMemberStream(reader: self, generation: generation) }

    /// Advances to the next member (skipping what is left of the current one's data);
    /// nil at the end-of-archive marker.
    public func next() throws -> TarEntry? {
        guard !ended else { return nil }
        if remaining + padding > 0 {
            try skipOrFail(remaining + padding, what: "data of \(current?.name ?? "member")")
        }
        remaining = 0
        padding = 0
        generation += 1
        current = nil

        var longName: String?
        var longLink: String?
        var pax: [String: String] = [:]
        var firstHeaderOffset: Int64?
        while true {
            let headerOffset = source.offset
            guard let header = try readHeader() else {
                throw IOError.truncated(path: source.path, offset: headerOffset, reason: "tar archive ends without its end-of-archive marker (file cut short?)")
            }
            if header.isZeroBlock {
                // End marker: two zero blocks; accept one followed by the end of the stream.
                if longName != nil || !pax.isEmpty {
                    throw malformed(headerOffset, "end-of-archive marker right after an extended header")
                }
                _ = try readHeader()
                ended = true
                return nil
            }
            if let problem = header.checksumProblem() {
                throw malformed(headerOffset, headerOffset == 0 ? "not a tar archive (the first block is not a tar header: \(problem))" : problem)
            }
            guard let rawSize = header.sizeField else { throw malformed(headerOffset, "unreadable size field") }
            firstHeaderOffset = firstHeaderOffset ?? headerOffset

            switch header.typeFlag {
            case UInt8(ascii: "L"):
                longName = try readExtendedText(size: rawSize, at: headerOffset, what: "GNU long name")
                continue
            case UInt8(ascii: "K"):
                longLink = try readExtendedText(size: rawSize, at: headerOffset, what: "GNU long link name")
                continue
            case UInt8(ascii: "x"):
                let text = try readExtendedText(size: rawSize, at: headerOffset, what: "pax header")
                pax.merge(try parsePax(text, at: headerOffset)) { $1 }
                continue
            case UInt8(ascii: "g"):
                _ = try readExtendedText(size: rawSize, at: headerOffset, what: "pax global header")
                continue
            case UInt8(ascii: "S"):
                throw malformed(headerOffset, "GNU sparse member \(header.path) is not supported")
            case UInt8(ascii: "M"):
                throw malformed(headerOffset, "multi-volume member \(header.path) is not supported")
            case UInt8(ascii: "V"):
                try skipOrFail(Self.padded(rawSize), what: "volume label")
                continue
            default:
                break
            }

            let name = pax["path"] ?? longName ?? header.path
            let link = pax["linkpath"] ?? longLink ?? header.linkName
            var size = rawSize
            if let paxSize = pax["size"] {
                guard let s = Int64(paxSize), s >= 0 else { throw malformed(headerOffset, "bad pax size \(paxSize)") }
                size = s
            }
            let kind: TarEntry.Kind
            switch header.typeFlag {
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = .file
            case UInt8(ascii: "5"): kind = .directory
            case UInt8(ascii: "1"): kind = .hardLink(target: link)
            case UInt8(ascii: "2"): kind = .symbolicLink(target: link)
            case let flag: kind = .other(typeFlag: flag)
            }
            // Like GNU tar and Python's tarfile: only regular files (and unknown types) carry data.
            let carriesData: Bool
            switch kind {
            case .directory, .hardLink, .symbolicLink: carriesData = false
            case .other(let flag): carriesData = !(UInt8(ascii: "3")...UInt8(ascii: "6")).contains(flag)
            case .file: carriesData = true
            }
            let mtime = pax["mtime"].flatMap { Int64($0.split(separator: ".").first ?? "") } ?? header.mtime ?? 0
            let entry = TarEntry(
                name: name, size: carriesData ? size : 0, kind: kind, mode: Int(header.mode ?? 0),
                modificationTime: mtime, headerOffset: firstHeaderOffset ?? headerOffset, dataOffset: source.offset)
            remaining = entry.size
            padding = Self.padded(entry.size) - entry.size
            current = entry
            return entry
        }
    }

    /// Reads up to `buffer.count` bytes of the current member's data; 0 at its end.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard remaining > 0, buffer.count > 0 else { return 0 }
        let want = Int(min(Int64(buffer.count), remaining))
        let got = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
        if got == 0 {
            throw IOError.truncated(path: source.path, offset: source.offset,
                                    reason: "tar member \(current?.name ?? "?") ends \(remaining) bytes early (archive cut short?)")
        }
        remaining -= Int64(got)
        return got
    }

    fileprivate func skipCurrent(_ count: Int64) throws {
        precondition(count <= remaining)
        try skipOrFail(count, what: "data of \(current?.name ?? "member")")
        remaining -= count
    }

    fileprivate func isCurrent(_ generation: Int) -> Bool { generation == self.generation }
    fileprivate var remainingInCurrent: Int64 { remaining }

    // MARK: - helpers

    private static func padded(_ size: Int64) -> Int64 { (size + 511) / 512 * 512 }

    private func readHeader() throws -> TarHeader? {
        var block = [UInt8](repeating: 0, count: TarHeader.size)
        let complete = try block.withUnsafeMutableBytes { try source.readExactly(into: $0, what: "tar header block") }
        return complete ? TarHeader(block: block) : nil
    }

    private func readExtendedText(size: Int64, at offset: Int64, what: String) throws -> String {
        guard size <= Int64(Self.maxExtendedHeaderSize) else {
            throw malformed(offset, "\(what) of \(size) bytes is implausibly large")
        }
        let bytes = try source.readBytes(Int(size), what: what)
        try skipOrFail(Self.padded(size) - size, what: "padding of \(what)")
        let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// pax records: "<length> <key>=<value>\n", length counting the whole record.
    private func parsePax(_ text: String, at offset: Int64) throws -> [String: String] {
        var result: [String: String] = [:]
        var bytes = Substring(text).utf8[...]
        while !bytes.isEmpty {
            guard let space = bytes.firstIndex(of: UInt8(ascii: " ")),
                  let length = Int(String(decoding: bytes[..<space], as: UTF8.self)),
                  length > bytes.distance(from: bytes.startIndex, to: space) + 1,   // the record goes past its length field
                  length <= bytes.count
            else { throw malformed(offset, "malformed pax record") }
            let record = bytes[bytes.index(after: space)..<bytes.index(bytes.startIndex, offsetBy: length)]
            guard record.last == UInt8(ascii: "\n"), let eq = record.firstIndex(of: UInt8(ascii: "=")) else {
                throw malformed(offset, "malformed pax record")
            }
            let key = String(decoding: record[..<eq], as: UTF8.self)
            let value = String(decoding: record[record.index(after: eq)..<record.index(before: record.endIndex)], as: UTF8.self)
            result[key] = value
            bytes = bytes[bytes.index(bytes.startIndex, offsetBy: length)...]
        }
        return result
    }

    private func skipOrFail(_ count: Int64, what: String) throws {
        guard count > 0 else { return }
        do {
            try source.skip(count)
        } catch IOError.truncated(let path, let offset, _) {
            throw IOError.truncated(path: path, offset: offset, reason: "tar archive ends inside the \(what) (archive cut short?)")
        }
    }

    private func malformed(_ offset: Int64, _ reason: String) -> IOError {
        let location = (source as? LocatableStream)?.locate(offset).map { " [\($0)]" } ?? ""
        let stream = source is GzipReader ? " of the decompressed tar stream" : ""
        return IOError.malformed(path: source.path, offset: offset, reason: "tar\(stream)\(location): \(reason)")
    }
}

/// A stream that can say where an offset falls (e.g. which split part file).
public protocol LocatableStream {
    func locate(_ offset: Int64) -> String?
}

/// The data of one tar member as a `ByteStream` (for hashing, unpickling, copying).
final class TarMemberStream: ByteStream {
    private let reader: TarReader
    private let generation: Int
    let path: String
    private(set) var offset: Int64 = 0

    init(reader: TarReader, generation: Int) {
        self.reader = reader
        self.generation = generation
        self.path = reader.source.path + ":" + (reader.current?.name ?? "?")
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard reader.isCurrent(generation) else {
            throw IOError.malformed(path: path, offset: offset, reason: "tar member read after the reader moved to the next member")
        }
        let n = try reader.read(into: buffer)
        offset += Int64(n)
        return n
    }

    func skip(_ count: Int64) throws {
        guard reader.isCurrent(generation) else {
            throw IOError.malformed(path: path, offset: offset, reason: "tar member read after the reader moved to the next member")
        }
        guard count <= reader.remainingInCurrent else {
            throw IOError.truncated(path: path, offset: offset + reader.remainingInCurrent, reason: "skip past the end of the member")
        }
        try reader.skipCurrent(count)
        offset += count
    }
}
