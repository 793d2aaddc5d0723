import ArgumentParser
import Foundation
import TorchFormats

/// `nasdata inspect FILE`: the object tree of any pickle, torch checkpoint (legacy or
/// zip), `.npy` or safetensors file, read without executing anything.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the object tree of a pickle (plain or bz2: .pickle.pbz2), .pth (legacy or zip), .npy or safetensors file.",
        discussion: """
        Nothing in the file is executed: classes are resolved from an allow-list and anything else is \
        refused with the file and byte offset. --json prints {file, format, metadata, tensors, tree}; \
        every tensor and array is listed in "tensors" with its path, dtype, shape and the sha256 of its \
        dense little-endian bytes, so two checkpoints can be compared tensor by tensor. --select narrows \
        to one entry (keys separated by '/', ints as numbers, tuples as (cifar10,777)), e.g. \
        --select "full/all_results/(cifar10,777)/net_state_dict"; --export writes the selected state \
        dict or tensor as .pth (torch zip), .safetensors or .npy, or any plain value as a protocol-2 \
        pickle (.pkl; tensors become numpy arrays). bz2-compressed pickles (NATS-Bench's .pickle.pbz2) \
        are decompressed as they are parsed, at most --max-bytes (default 1000x the file's size + 64 MiB, \
        against bz2 bombs); tensors pickled with Python's pickle (torch.storage._load_from_bytes) are read.
        """)

    @Argument(help: "The file to inspect.")
    var file: String

    @Flag(name: .long, help: "Print JSON (with sha256 of every tensor and array).")
    var json = false

    @Option(name: .long, help: "Show containers down to this depth (text default 4, JSON unlimited).")
    var depth: Int?

    @Option(name: .long, help: "Items shown per container in text output.")
    var items = 10

    @Option(name: .long, help: "Path of the entry to show, keys separated by '/'.")
    var select: String?

    @Option(name: .long, help: "Write the selected state dict or tensor to this .pth, .safetensors or .npy file.")
    var export: String?

    @Flag(name: .long, help: "Read Python 2 strings as bytes instead of latin-1 text.")
    var bytesStrings = false

    @Flag(name: .long, help: "Only count what the file holds (streaming parse, memory stays small; no tensor data read).")
    var stats = false

    @Flag(name: .customLong("verify-crc"), help: "Check the CRC-32 of every entry of a zip checkpoint first.")
    var verifyCRC = false

    @Option(name: .customLong("max-bytes"), help: "Most bytes a bz2 pickle may decompress to (default 1000x its size + 64 MiB).")
    var maxBytes: Int64?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let depth, depth < 0 { throw ValidationError("--depth must be >= 0") }
        if items < 0 { throw ValidationError("--items must be >= 0") }
        if let maxBytes, maxBytes < 0 { throw ValidationError("--max-bytes must be >= 0") }
    }

    func run() throws {
        if let export { try OutputPath.check(export, option: "--export", writes: ["pth", "pt", "safetensors", "npy", "pkl"], format: "a torch .pth, safetensors, .npy or a pickle") }
        var request = InspectRequest(file: file)
        request.select = select
        request.export = export
        request.python2StringsAsBytes = bytesStrings
        request.statsOnly = stats
        request.verifyCRC = verifyCRC
        request.maxBytes = maxBytes
        request.depth = depth
        request.items = items
        let result: InspectResult
        do { result = try Inspector.run(request) } catch let e as InspectError { throw ValidationError("\(e)") }
        let out = BufferedStdout()
        try result.write(json: json, emit: out.write)
        out.flush()
    }
}

/// Collects output and writes it to stdout in large pieces.
final class BufferedStdout {
    private var buffer = ""
    func write(_ s: String) {
        buffer += s
        if buffer.utf8.count > 1 << 20 { flush() }
    }
    func flush() {
        FileHandle.standardOutput.write(buffer.data(using: .utf8)!)
        buffer = ""
    }
}
