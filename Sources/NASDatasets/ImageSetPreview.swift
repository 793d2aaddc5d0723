import HDF5
import ImageCodecs
import ImageSet

/// What `nasdata preview` asks: the image sets of a file, or a contact sheet of one of them.
public struct PreviewRequest: Sendable {
    /// An nb201-dataset HDF5 file (build-cifar, build-imagenet16).
    public var file: String
    /// DATASET/SET to show; nil = list the sets.
    public var set: String?
    /// The PNG written (needed with `set`).
    public var output: String?
    public var count = 64
    public var start = 0
    /// Images a row (nil: a square grid) and enlargement (nil: to about 64 pixels).
    public var columns: Int?
    public var scale: Int?

    public init(file: String) { self.file = file }
}

public enum PreviewError: Error, Equatable, Sendable, CustomStringConvertible {
    case startPastEnd(set: String, count: Int, start: Int)
    case noOutput

    public var description: String {
        switch self {
        case let .startPastEnd(set, count, start): return "\(set) has \(count) images; --start \(start) is past the end"
        case .noOutput: return "give the output PNG with -o grid.png"
        }
    }
}

public enum PreviewResult: Sendable {
    public struct SetInfo: Sendable, Equatable {
        public var name: String
        public var count: Int
        public var height: Int
        public var width: Int
    }

    case listing(file: String, sets: [SetInfo])
    /// `count` images of `set` from `start`, a `width` x `height` PNG.
    case sheet(output: String, set: String, start: Int, count: Int, width: Int, height: Int)

    public var lines: [String] {
        switch self {
        case let .listing(file, sets):
            return [sets.isEmpty ? "\(file): no image sets" : "image sets in \(file) (use --set NAME -o grid.png):"]
                + sets.map { "  \($0.name)  \($0.count) images of \($0.height)x\($0.width)" }
        case let .sheet(output, set, start, count, width, height):
            return ["wrote \(output): \(count) images of \(set) (from #\(start)), \(width)x\(height) pixels"]
        }
    }
}

/// `nasdata preview`: lists a file's image sets, or writes a PNG contact sheet (images enlarged
/// by nearest neighbour, "label classname" under each).
public enum ImageSetPreview {
    public static func run(_ request: PreviewRequest) throws -> PreviewResult {
        let h5 = try File.open(request.file)
        defer { h5.close() }
        guard let set = request.set else {
            return .listing(file: request.file, sets: try ImageSetReader.sets(in: h5).map { name in
                let reader = try ImageSetReader(file: h5, set: name)
                return .init(name: name, count: reader.count, height: reader.height, width: reader.width)
            })
        }
        guard let output = request.output else { throw PreviewError.noOutput }
        let reader = try ImageSetReader(file: h5, set: set)
        guard request.start < reader.count else {
            throw PreviewError.startPastEnd(set: set, count: reader.count, start: request.start)
        }
        let n = min(request.count, reader.count - request.start)
        let batch = try reader.readBatch(start: request.start, count: n)
        var sheet = ContactSheet(count: n, imageHeight: reader.height, imageWidth: reader.width,
                                 columns: request.columns, scale: request.scale)
        for i in 0..<n {
            let label = Int(batch.labels[i])
            let name = label < reader.classNames.count ? reader.classNames[label] : "?"
            sheet.place(i, image: batch.image(i), caption: "\(label) \(name)")
        }
        try sheet.writePNG(to: output)
        return .sheet(output: output, set: set, start: request.start, count: n, width: sheet.width, height: sheet.height)
    }
}
