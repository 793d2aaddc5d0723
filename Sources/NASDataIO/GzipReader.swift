import Compression

/// Inflates a gzip file (RFC 1952) as it is read, in bounded memory: a 256 KiB input
/// buffer and zlib's 32 KiB window, whatever the file's size.
///
/// Concatenated gzip members (what `cat a.gz b.gz` or pigz produce) are read as one
/// stream, and zero padding after the last member (some tape tools add it) is
/// accepted. Everything else is an error that names the file and the byte offset in
/// the *compressed* file: a wrong magic number, corrupt deflate data, a CRC-32 or
/// length mismatch (zlib checks both trailers), or a file that ends before the
/// stream does.
///
///     let gz = try GzipReader(path: "cifar-10-python.tar.gz")
///     let tar = TarReader(gz)
public final class GzipReader: ByteStream {
    public var path: String { source.path }
    /// Decompressed bytes delivered so far.
    public private(set) var offset: Int64 = 0
    /// Compressed bytes consumed by the inflater so far.
    public var compressedOffset: Int64 { source.offset - Int64(inflater.availableInput) }

    private let source: ByteStream
    private let inflater: Inflater
    private let input: UnsafeMutableRawBufferPointer
    private var atMemberBoundary = false
    private var finished = false

    public convenience init(path: String) throws {
        try self.init(FileByteStream(path: path))
    }

    public init(_ source: ByteStream, inputBufferSize: Int = 1 << 18) throws {
        self.source = source
        self.input = .allocate(byteCount: inputBufferSize, alignment: 16)
        do { self.inflater = try Inflater(.gzip) } catch {
            input.deallocate()
            throw IOError.malformed(path: source.path, offset: nil, reason: "\(error)")
        }
        guard try refill(), inflater.availableInput >= 2 else {
            throw IOError.truncated(path: path, offset: source.offset, reason: "too short to be a gzip file")
        }
        let head = input.load(as: UInt8.self)
        let second = input.load(fromByteOffset: 1, as: UInt8.self)
        guard head == 0x1f, second == 0x8b else {
            throw IOError.malformed(path: path, offset: 0, reason: "not a gzip file (starts with bytes \(hex(head)) \(hex(second)), gzip starts with 1f 8b)")
        }
    }

    deinit {
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, buffer.count > 0, let base = buffer.baseAddress else { return 0 }
        let want = min(buffer.count, Int(UInt32.max))
        inflater.setOutput(base, count: want)
        while inflater.availableOutput == want {
            if atMemberBoundary {
                guard try startNextMember() else { finished = true; break }
            }
            if inflater.availableInput == 0 {
                guard try refill() else {
                    throw IOError.truncated(path: path, offset: source.offset, reason: "gzip stream ends before its end marker (file cut short?)")
                }
            }
            let status: Inflater.Status
            do { status = try inflater.inflate() } catch {
                throw IOError.malformed(path: path, offset: compressedOffset, reason: "corrupt gzip data: \(error)")
            }
            switch status {
            case .progress:
                continue
            case .streamEnd:
                atMemberBoundary = true
            case .stalled:
                // No progress possible; only happens with empty input, refilled above.
                continue
            }
        }
        let produced = want - inflater.availableOutput
        offset += Int64(produced)
        return produced
    }

    /// After one member's trailer: another member follows, or zero padding, or the end.
    private func startNextMember() throws -> Bool {
        if inflater.availableInput == 0, try !refill() { return false }
        let next = inflater.remainingInput[0]
        if next == 0x1f {
            atMemberBoundary = false
            inflater.reset()
            return true
        }
        if next == 0 {
            try consumeZeroPadding()
            return false
        }
        throw IOError.malformed(path: path, offset: compressedOffset, reason: "bytes after the end of the gzip stream are neither another gzip member nor zero padding")
    }

    private func consumeZeroPadding() throws {
        repeat {
            let bytes = inflater.remainingInput
            if let bad = bytes.firstIndex(where: { $0 != 0 }) {
                throw IOError.malformed(path: path, offset: compressedOffset + Int64(bad), reason: "non-zero bytes in the padding after the gzip stream")
            }
            inflater.discardInput()
        } while try refill()
    }

    /// Reads the next block of compressed input; false at the end of the source.
    private func refill() throws -> Bool {
        let got = try source.read(into: input)
        inflater.setInput(input.baseAddress!, count: got)
        return got > 0
    }
}

@inline(__always) func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
}
