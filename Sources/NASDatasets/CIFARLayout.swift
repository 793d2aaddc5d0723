/// CIFAR-10 or CIFAR-100, as distributed by its authors.
public enum CIFARVariant: String, Sendable, CaseIterable {
    case cifar10, cifar100

    public var displayName: String { self == .cifar10 ? "CIFAR-10" : "CIFAR-100" }
    public var classCount: Int { self == .cifar10 ? 10 : 100 }
}

/// The two distributions of each variant: python pickles, or fixed-size binary records.
public enum CIFARFormat: String, Sendable {
    case python, binary
}

/// Which file of an original CIFAR distribution a piece of data comes from.
public enum CIFARPart: Hashable, Sendable, CustomStringConvertible {
    /// Training file `k` (CIFAR-10: data_batch_k, k = 1...5; CIFAR-100: the one `train`, k = 1).
    case train(Int)
    case test

    public var description: String {
        switch self {
        case .train(let k): return "train part \(k)"
        case .test: return "test"
        }
    }
}

/// File names of each distribution (the folder names and files of the original
/// tarballs: `cifar-10-batches-py/data_batch_1`, `cifar-100-binary/train.bin`, ...).
public struct CIFARLayout: Sendable, Equatable {
    public let variant: CIFARVariant
    public let format: CIFARFormat

    public init(_ variant: CIFARVariant, _ format: CIFARFormat) {
        self.variant = variant
        self.format = format
    }

    public var folder: String {
        switch (variant, format) {
        case (.cifar10, .python): return "cifar-10-batches-py"
        case (.cifar10, .binary): return "cifar-10-batches-bin"
        case (.cifar100, .python): return "cifar-100-python"
        case (.cifar100, .binary): return "cifar-100-binary"
        }
    }

    /// Training files in the order their records are numbered (torchvision's order).
    public var trainFiles: [String] {
        switch (variant, format) {
        case (.cifar10, .python): return (1...5).map { "data_batch_\($0)" }
        case (.cifar10, .binary): return (1...5).map { "data_batch_\($0).bin" }
        case (.cifar100, .python): return ["train"]
        case (.cifar100, .binary): return ["train.bin"]
        }
    }

    public var testFile: String {
        switch (variant, format) {
        case (.cifar10, .python): return "test_batch"
        case (.cifar10, .binary): return "test_batch.bin"
        case (.cifar100, .python): return "test"
        case (.cifar100, .binary): return "test.bin"
        }
    }

    /// The file holding class names.
    public var metaFile: String {
        switch (variant, format) {
        case (.cifar10, .python): return "batches.meta"
        case (.cifar10, .binary): return "batches.meta.txt"
        case (.cifar100, .python): return "meta"
        case (.cifar100, .binary): return "fine_label_names.txt"
        }
    }

    public func part(forFile name: String) -> CIFARPart? {
        if name == testFile { return .test }
        if let k = trainFiles.firstIndex(of: name) { return .train(k + 1) }
        return nil
    }

    public func file(for part: CIFARPart) -> String {
        switch part {
        case .train(let k): return trainFiles[k - 1]
        case .test: return testFile
        }
    }

    public var allParts: [CIFARPart] { (1...trainFiles.count).map { .train($0) } + [.test] }

    /// Binary records: label byte(s) then 3072 pixel bytes (CIFAR-100: coarse, fine).
    public var binaryRecordSize: Int { (variant == .cifar10 ? 1 : 2) + CIFARImage.byteCount }
}

/// CIFAR images: 32 x 32 RGB. Originals store the red, green and blue planes one
/// after the other (CHW); nasdata stores pixels interleaved (HWC), as PIL, numpy
/// image code and torchvision's `CIFAR10.data` hold them.
public enum CIFARImage {
    public static let side = 32
    public static let byteCount = 32 * 32 * 3

    /// Converts `count` planar images (CHW) into interleaved (HWC), appending to `out`.
    public static func appendInterleaved(planar: UnsafeRawBufferPointer, count: Int, to out: inout [UInt8]) {
        let plane = side * side
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: count * byteCount))
        out.withUnsafeMutableBufferPointer { dst in
            let src = planar.bindMemory(to: UInt8.self)
            for i in 0..<count {
                let s = i * byteCount
                let d = start + i * byteCount
                for p in 0..<plane {
                    dst[d + 3 * p] = src[s + p]
                    dst[d + 3 * p + 1] = src[s + plane + p]
                    dst[d + 3 * p + 2] = src[s + 2 * plane + p]
                }
            }
        }
    }
}
