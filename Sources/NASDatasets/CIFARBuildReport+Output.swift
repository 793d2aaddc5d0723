import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension CIFARBuildReport {
    /// The `--json` report: pretty-printed, sorted keys, with a final newline.
    public func json() throws -> Data {
        struct Out: Encodable {
            struct Input: Encodable { let path, variant, format, container, verification: String; let md5: String? }
            struct Set: Encodable { let set: String; let count: Int; let digest: String }
            let output: String
            let seconds: Double
            let inputs: [Input]
            let splits: [String]
            let sets: [Set]
        }
        let out = Out(output: output, seconds: seconds,
                      inputs: inputs.map { .init(path: $0.path, variant: $0.variant, format: $0.format, container: $0.container,
                                                 verification: $0.verification, md5: $0.md5) },
                      splits: splits,
                      sets: sets.map { .init(set: String($0.path.dropFirst()), count: $0.count, digest: $0.digest) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(out) + Data("\n".utf8)
    }

    /// The human-readable report (inputs and their checksums, splits, one line a set), newline-terminated.
    public var text: String {
        var text = ""
        for input in inputs {
            text += "\(input.variant) (\(input.format), \(input.container)): \(input.path)\n  checksum: \(input.verification)\n"
        }
        for split in splits { text += "split \(split)\n" }
        let width = sets.map { $0.path.count }.max() ?? 0
        for set in sets {
            text += String(set.path.dropFirst()).padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: " %7d images  digest %@…\n", set.count, String(set.digest.prefix(16)))
        }
        text += String(format: "wrote %@ (%d sets) in %.1f s\n", output, sets.count, seconds)
        return text
    }
}

extension CIFARBuilder {
    /// Batch buffers of 6-155 MB are allocated and freed again and again; glibc gives
    /// big ones fresh mmaps and trims the heap, so their pages fault in anew each time.
    /// Raising glibc's mmap and trim thresholds (what MALLOC_MMAP_THRESHOLD_ etc. do)
    /// halved the kernel time of a full build (measured: 1.3 s -> 0.7 s). `mallopt` is
    /// looked up at run time: Swift's Glibc module does not export <malloc.h>.
    static func keepBigBuffersInHeap() {
        #if os(Linux)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let trimThreshold: Int32 = -1, topPad: Int32 = -2, mmapThreshold: Int32 = -3  // <malloc.h> M_*
        _ = mallopt(mmapThreshold, 512 << 20)
        _ = mallopt(trimThreshold, 1 << 30)
        _ = mallopt(topPad, 64 << 20)
        #endif
    }
}
