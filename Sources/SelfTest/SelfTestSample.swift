import Foundation
import HDF5
import HDF5Schema
import Tensors
import Compression
import Concurrency

/// The sample file `nasdata selftest` writes and verifies: every dtype, chunked +
/// compressed data through HDF5's filter pipeline and as direct chunks compressed
/// on our own threads, strings, attributes, an external link to a companion file.
struct SelfTestSample {
    let path: String
    /// The `created_by` attribute (the program and its version).
    var createdBy = "nasdata selftest"
    /// The companion file the external link points to (same directory).
    var targetPath: String {
        (path.hasSuffix(".h5") ? String(path.dropLast(3)) : path) + ".target.h5"
    }
    var targetName: String { String(targetPath.split(separator: "/").last!) }

    static let rows = 100, cols = 16, chunkRows = 32
    static let deflateLevel = 6

    // MARK: the expected content (deterministic)

    static let uint8s: [UInt8] = (0..<12).map { UInt8(($0 * 23) % 256) }
    static let int8s: [Int8] = [-128, -1, 0, 1, 127]
    static let int16s: [Int16] = [-32768, -300, 0, 300, 32767]
    static let int32s: [Int32] = (0..<24).map { Int32($0 * 1_000_003 % 2_000_000_000) - 1_000_000_000 }
    static let int64s: [Int64] = [Int64.min, -1, 0, 1, 1 << 53 + 1, Int64.max]
    static let float16Bits: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0x00, 0x7C, 0x01, 0x00]  // 1, -2, inf, smallest subnormal
    static let float32s: [Float] = [0, -0.0, 1.5, -3.25, .pi, 1e-38, 3.4e38, .infinity, -.infinity, 0.1, .leastNonzeroMagnitude, 7, 8, 9, 10]
    static let float64s: [Double] = [0, .pi, -.pi, 1e-300, 1e300, .infinity, 0.1]
    static let bools: [UInt8] = [1, 0, 0, 1, 1]
    static let names = ["cifar10", "cifar100", "ImageNet16-120", "", "ünïcödé ✓", "a \"quoted\" name"]
    static let targetValues: [Int32] = (0..<10).map { Int32($0 * $0) }

    static var chunkedValues: [Float] {
        (0..<(rows * cols)).map { i in Float((sin(Double(i) * 0.37) * 100).rounded() / 8) }
    }

    static func extensibleRows(_ batch: Int) -> [Int32] { (0..<(5 * 4)).map { Int32(batch * 100 + $0) } }

    // MARK: writing

    /// Writes the companion, then the sample (each appears only when complete; the companion is
    /// removed again when the sample fails). Returns how many threads compressed the direct chunks.
    func write() throws -> Int {
        try writeTarget()
        do { return try writeSample() } catch {
            try? FileManager.default.removeItem(atPath: targetPath)
            throw error
        }
    }

    private func writeTarget() throws {
        try File.writeAtomically(to: targetPath) { f in
            try f.setAttribute("nasdata_schema", "nasdata-selftest-target")
            try f.setAttribute("nasdata_schema_version", 1)
            try f.createDataset("values", dtype: .int32, shape: [Self.targetValues.count]).write(Self.targetValues)
        }
    }

    private func writeSample() throws -> Int {
        try File.writeAtomically(to: path) { f in
            try f.setAttribute("nasdata_schema", "nasdata-selftest")
            try f.setAttribute("nasdata_schema_version", 1)
            try f.setAttribute("created_by", .string(createdBy))
            try f.setAttribute("hdf5_version", .string(HDF5Library.version))

            let n = try f.createGroup("numeric")
            try n.createDataset("uint8", dtype: .uint8, shape: [4, 3]).write(Self.uint8s)
            try n.createDataset("int8", dtype: .int8, shape: [5]).write(Self.int8s)
            try n.createDataset("int16", dtype: .int16, shape: [5]).write(Self.int16s)
            try n.createDataset("int32", dtype: .int32, shape: [2, 3, 4]).write(Self.int32s)
            try n.createDataset("int64", dtype: .int64, shape: [6]).write(Self.int64s)
            try n.createDataset("float16", tensor: Tensor(dtype: .float16, shape: [4], bytes: Self.float16Bits))
            try n.createDataset("float32", dtype: .float32, shape: [3, 5]).write(Self.float32s)
            try n.createDataset("float64", dtype: .float64, shape: [7]).write(Self.float64s)
            try n.createDataset("bool", tensor: Tensor(dtype: .bool, shape: [5], bytes: Self.bools))
            try n.createDataset("scalar_float64", dtype: .float64, shape: []).write([Double.pi])

            let c = try f.createGroup("chunked")
            let pipeline = try c.createDataset("pipeline_float32", dtype: .float32, shape: [Self.rows, Self.cols],
                                               chunks: [Self.chunkRows, Self.cols], shuffle: true, deflate: Self.deflateLevel)
            try pipeline.write(Self.chunkedValues)
            try pipeline.setAttribute("written_by", "hdf5-filter-pipeline")
            let direct = try c.createDataset("direct_float32", dtype: .float32, shape: [Self.rows, Self.cols],
                                             chunks: [Self.chunkRows, Self.cols], shuffle: true, deflate: Self.deflateLevel)
            let threads = try writeDirectChunks(direct)
            try direct.setAttribute("written_by", "direct-chunk-write")
            let grow = try c.createDataset("extensible_int32", dtype: .int32, shape: [0, 4], maxShape: [nil, 4], chunks: [8, 4])
            for batch in 0..<3 {
                try grow.extend(firstDimensionTo: (batch + 1) * 5)
                try grow.write(Self.extensibleRows(batch), start: [batch * 5, 0], count: [5, 4])
            }

            let s = try f.createGroup("strings")
            try s.createStringDataset("names", Self.names)
            let growing = try s.createStringDataset("growing", ["first"], extensible: true, chunk: 4)
            try growing.extend(firstDimensionTo: 3)
            try growing.writeStrings(["second", "third"], start: 1)

            let a = try f.createGroup("attributes")
            try a.setAttribute("an_int", .int(-42))
            try a.setAttribute("a_double", .double(0.125))
            try a.setAttribute("a_string", .string("NAS-Bench-201 ✓"))
            try a.setAttribute("ints", .ints([3, 32, 32]))
            try a.setAttribute("doubles", .doubles([0.4914, 0.4822, 0.4465]))
            try a.setAttribute("strings", .strings(["cifar10", "cifar100", "ImageNet16-120"]))

            try f.createExternalLink("linked", file: targetName, path: "/values")
            return threads
        }
    }

    /// Compresses every chunk with our own shuffle + deflate on all cores, then hands
    /// the finished chunks to HDF5 (direct chunk write, no HDF5 filter work).
    private func writeDirectChunks(_ ds: Dataset) throws -> Int {
        let values = Self.chunkedValues
        let starts = Array(stride(from: 0, to: Self.rows, by: Self.chunkRows))
        let threads = min(starts.count, ProcessInfo.processInfo.activeProcessorCount)
        let encoded = BoundedParallel.map(count: starts.count, jobs: threads, makeState: { () }) { _, i in
            var chunk = [Float](repeating: 0, count: Self.chunkRows * Self.cols)  // edge chunks are padded
            let r0 = starts[i]
            for r in r0..<min(r0 + Self.chunkRows, Self.rows) {
                for col in 0..<Self.cols { chunk[(r - r0) * Self.cols + col] = values[r * Self.cols + col] }
            }
            let bytes = chunk.withUnsafeBytes { Array($0) }
            return Result { try ChunkEncoder.encode(bytes, elementSize: 4, shuffle: true, deflate: Self.deflateLevel) }
        }
        for (i, r0) in starts.enumerated() {
            try ds.writeRawChunk(offset: [r0, 0], bytes: try encoded[i].get())
        }
        return threads
    }

    // MARK: verification

    /// Reads every value back and compares; returns one line per checked part.
    func verify() throws -> [String] {
        var report: [String] = []
        let f = try File.open(path)
        defer { f.close() }
        let n = try f.openGroup("numeric")
        try expect(n.openDataset("uint8").read(as: UInt8.self) == Self.uint8s, "numeric/uint8")
        try expect(n.openDataset("int8").read(as: Int8.self) == Self.int8s, "numeric/int8")
        try expect(n.openDataset("int16").read(as: Int16.self) == Self.int16s, "numeric/int16")
        try expect(n.openDataset("int32").read(as: Int32.self) == Self.int32s, "numeric/int32")
        try expect(n.openDataset("int32").shape == [2, 3, 4], "numeric/int32 shape")
        try expect(n.openDataset("int64").read(as: Int64.self) == Self.int64s, "numeric/int64")
        try expect(n.openDataset("float16").readTensor().bytes == Self.float16Bits, "numeric/float16")
        try expect(n.openDataset("float32").read(as: Float.self).map(\.bitPattern) == Self.float32s.map(\.bitPattern), "numeric/float32")
        try expect(n.openDataset("float64").read(as: Double.self).map(\.bitPattern) == Self.float64s.map(\.bitPattern), "numeric/float64")
        try expect(n.openDataset("bool").readTensor().bytes == Self.bools, "numeric/bool")
        try expect(n.openDataset("scalar_float64").read(as: Double.self) == [Double.pi], "numeric/scalar_float64")
        report.append("numeric: 9 dtypes (uint8 int8 int16 int32 int64 float16 float32 float64 bool) + a scalar read back bit-identical")

        let c = try f.openGroup("chunked")
        let pipeline = try c.openDataset("pipeline_float32"), direct = try c.openDataset("direct_float32")
        try expect(pipeline.read(as: Float.self) == Self.chunkedValues, "chunked/pipeline_float32")
        try expect(direct.read(as: Float.self) == Self.chunkedValues, "chunked/direct_float32 (decoded by HDF5's filters)")
        var identical = 0
        for r0 in stride(from: 0, to: Self.rows, by: Self.chunkRows) {
            if try direct.readRawChunk(offset: [r0, 0]).bytes == pipeline.readRawChunk(offset: [r0, 0]).bytes { identical += 1 }
        }
        let chunkCount = (Self.rows + Self.chunkRows - 1) / Self.chunkRows
        let grown = try c.openDataset("extensible_int32")
        try expect(grown.shape == [15, 4] && grown.read(as: Int32.self) == (0..<3).flatMap(Self.extensibleRows), "chunked/extensible_int32")
        report.append("chunked: \(Self.rows)x\(Self.cols) float32, shuffle+deflate \(Self.deflateLevel), via HDF5's pipeline and as \(chunkCount) direct chunks: same values; \(identical)/\(chunkCount) stored chunks byte-identical")
        report.append("chunked: extensible int32 grown to 15x4 in 3 batches read back identical")

        let s = try f.openGroup("strings")
        try expect(s.openDataset("names").readStrings() == Self.names, "strings/names")
        try expect(s.openDataset("growing").readStrings() == ["first", "second", "third"], "strings/growing")
        report.append("strings: \(Self.names.count) UTF-8 strings + an extensible string dataset read back identical")

        let a = try f.openGroup("attributes")
        try expect(a.attribute("an_int") == .int(-42) && a.attribute("a_double") == .double(0.125)
                   && a.attribute("a_string") == .string("NAS-Bench-201 ✓") && a.attribute("ints") == .ints([3, 32, 32])
                   && a.attribute("doubles") == .doubles([0.4914, 0.4822, 0.4465])
                   && a.attribute("strings") == .strings(["cifar10", "cifar100", "ImageNet16-120"]), "attributes")
        report.append("attributes: int, double, string, ints, doubles, strings read back identical")

        try expect(f.kind(of: "linked") == .externalLink(file: targetName, path: "/values"), "linked (link target)")
        try expect(f.openDataset("linked").read(as: Int32.self) == Self.targetValues, "linked (values through the link)")
        report.append("external link: /linked -> \(targetName):/values resolves and reads back identical")
        return report
    }

    /// Checks both files against their schemas; returns the deviations found.
    func checkSchemas(_ library: SchemaLibrary) throws -> [String] {
        var found: [String] = []
        for file in [path, targetPath] {
            let h5 = try File.open(file)
            defer { h5.close() }
            let schema = try library.schema(for: h5)
            found += try SchemaChecker.check(file: h5, schema: schema).map { "\(file): \($0)" }
        }
        return found
    }

    private func expect(_ ok: Bool, _ what: String) throws {
        if !ok { throw SelfTestFailure(message: "\(path): \(what) did not read back as written") }
    }
}
