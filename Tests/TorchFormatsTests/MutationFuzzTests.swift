import XCTest
import FixtureSupport
import NASDataIO
import Pickle
@testable import TorchFormats

/// Deterministic mutation fuzzing over every fixture: flipped bits, random bytes,
/// huge lengths, truncations, deleted and duplicated runs. Each mutant is loaded the
/// way `nasdata inspect --json` loads it (parse, then read and hash every tensor) and
/// must either succeed or throw one of our typed errors, never crash or hang.
/// `NASDATA_FUZZ_ITERATIONS` sets the total mutant count (default 3,000 for CI).
final class MutationFuzzTests: XCTestCase {
    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = input
        guard !b.isEmpty else { return [0x80] }
        for _ in 0...rng.below(3) {
            let at = rng.below(b.count)
            switch rng.below(7) {
            case 0: b[at] ^= UInt8(1 << rng.below(8))
            case 1: b[at] = UInt8(truncatingIfNeeded: rng.next())
            case 2: b = Array(b[0..<at])
            case 3:  // a huge or negative 32-bit length
                let v: [UInt8] = [[0xFF, 0xFF, 0xFF, 0x7F], [0xFF, 0xFF, 0xFF, 0xFF], [0, 0, 0, 0x40]][rng.below(3)]
                for i in 0..<min(4, b.count - at) { b[at + i] = v[i] }
            case 4: b.removeSubrange(at..<min(b.count, at + 1 + rng.below(16)))
            case 5: b.insert(contentsOf: b[at..<min(b.count, at + 1 + rng.below(32))], at: rng.below(b.count))
            default: b[at] = [0x80, 0x28, 0x2E, 0x5D, 0x7D, 0x68, 0x71, 0x51, 0x52, 0x62, 0x8A, 0x8B][rng.below(12)]
            }
            if b.isEmpty { return [0x2E] }
        }
        return b
    }

    func testMutantsOnlyEverThrowTypedErrors() throws {
        let total = Int(ProcessInfo.processInfo.environment["NASDATA_FUZZ_ITERATIONS"] ?? "") ?? 3000
        let dir = Repository.root.appendingPathComponent("Tests/Fixtures/pickle")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { !$0.hasSuffix(".json") && !$0.hasSuffix(".md") }.sorted()
        let tmp = NSTemporaryDirectory() + "nasdata-fuzz-\(getpid())"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        var rng = SplitMix64(state: 201)
        var executions = 0, loaded = 0, typedErrors = 0
        var reasons: [String: Int] = [:]
        for (i, name) in names.enumerated() {
            let original = try Array(Data(contentsOf: dir.appendingPathComponent(name)))
            let kind = try AnyFile.sniff(path: dir.appendingPathComponent(name).path)
            let share = total / names.count + (i < total % names.count ? 1 : 0)
            let path = tmp + "/" + name
            for _ in 0..<share {
                let mutant = MutationFuzzTests.mutate(original, &rng)
                XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(mutant)))
                executions += 1
                do {
                    let (_, value, _) = try AnyFile.load(path: path, kind: kind)
                    _ = try TreeRenderer().tensors(in: value)
                    loaded += 1
                } catch let e as PickleError {
                    typedErrors += 1
                    XCTAssertTrue(e.path == path || e.path.hasPrefix("<"), "error names the file: \(e)")
                    reasons[String("\(e.reason)".prefix(while: { $0 != "(" })), default: 0] += 1
                } catch let e as IOError {
                    typedErrors += 1
                    XCTAssertTrue(e.description.contains(path), "error names the file: \(e)")
                    reasons["IOError", default: 0] += 1
                } catch {
                    XCTFail("\(name): untyped error \(type(of: error)): \(error)")
                }
            }
        }
        print("mutation fuzz: \(executions) executions over \(names.count) fixtures, \(loaded) loaded, \(typedErrors) typed errors; \(reasons.sorted { $0.key < $1.key })")
        XCTAssertEqual(executions, total)
        XCTAssertGreaterThan(typedErrors, total / 4)
    }
}
