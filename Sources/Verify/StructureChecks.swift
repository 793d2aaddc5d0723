#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HDF5
import HDF5Schema
import WeightArchive
import ImageSet
import NASCore

/// Checks that need another module's reader: the weight files
/// (`{index:06d}-FULL.pth`), and nasdata's own HDF5 outputs.
///
/// Each establishes what it can with the modules on hand. Whatever part needs a
/// module that is not available is reported as `.unchecked` with "not available"
/// in the detail, never as a silent pass.
enum StructureChecks {
    /// A `{index:06d}-FULL.pth` weight file: a torch checkpoint whose arch string is
    /// the canonical string of `index` and whose every state dict has exactly the
    /// keys and shapes of that architecture's network.
    static func weightFile(path: String, index: Int, report: inout FileReport) {
        report.rule = "structure (index \(index))"
        guard index < SearchSpace.count else {
            report.fail("index \(index) is outside the search space (0..\(SearchSpace.count - 1))")
            return
        }
        let head = readHead(path, count: 4)
        let isLegacy = head.count >= 2 && head[0] == 0x80 && head[1] == 0x02
        let isZip = head == [0x50, 0x4B, 0x03, 0x04]
        guard isLegacy || isZip else {
            let hex = head.map { String($0, radix: 16) }.joined(separator: " ")
            report.fail("not a torch checkpoint: starts with [\(hex)], neither legacy pickle (80 02) nor zip (PK 03 04)")
            return
        }
        guard let arch = SearchSpace.canonical.architecture(at: index) else {
            report.fail("index \(index) has no architecture"); return
        }
        var tensors = 0
        let runs: Int
        do {
            runs = try WeightFileCheck(path: path, index: index, architecture: arch).check { run in
                guard let classes = run.classCount else {
                    throw WeightFileCheck.Problem(description: "\(run.location): no arch_config class_num and no known data set")
                }
                let spec = try ParameterSpec(NetworkConfig(architecture: arch.description, classes: classes))
                if let mismatch = spec.mismatches(in: run.stateDict) {
                    throw WeightFileCheck.Problem(description: "\(run.location)['net_state_dict'] does not fit "
                        + "the network of \(arch) (\(classes) classes): " + summary(mismatch))
                }
                tensors += run.stateDict.count
            }
        } catch {
            report.fail("\(error)")
            return
        }
        guard runs > 0 else {
            report.fail("loads, arch string = index \(index)'s, but no run carries weights (net_state_dict all None)")
            return
        }
        report.pass("\(isLegacy ? "legacy" : "zip") checkpoint; arch_index and arch_str = index \(index)'s \(arch); "
            + "\(runs) state dicts (\(tensors) tensors) have exactly the network's keys and shapes")
    }

    /// An HDF5 file: it must open; if it carries `nasdata_schema` it is one of
    /// nasdata's outputs: its layout is checked against `Schemas/<name>.v<N>.json`
    /// and its stored per-record checksums are recomputed by the module that wrote
    /// them (`ImageSetIntegrity` for data sets, `ArchiveIntegrity` for weight archives).
    static func hdf5(path: String, report: inout FileReport) {
        report.rule = "schema + per-record checksums"
        let file: File
        do { file = try File.open(path) } catch {
            report.fail("does not open as HDF5: \(error)")
            return
        }
        defer { file.close() }
        guard let schemaName = (try? file.attribute("nasdata_schema")).flatMap({ $0?.stringValue }) else {
            report.rule = "opens as HDF5"
            report.skip("opens; no nasdata_schema attribute, so not a nasdata output: nothing more to check")
            return
        }
        let version = (try? file.attribute("nasdata_schema_version")).flatMap { $0?.intValue }
        report.kind = "nasdata HDF5 (\(schemaName) v\(version.map(String.init) ?? "?"))"

        // 1. Layout against the schema.
        let schema: Schema
        do {
            schema = try SchemaLibrary.locate().schema(for: file)
        } catch {
            report.skip("opens; schema check not available: \(error)")
            return
        }
        let deviations: [Deviation]
        do { deviations = try SchemaChecker.check(file: file, schema: schema) } catch {
            report.fail("schema check could not read the file: \(error)")
            return
        }
        if !deviations.isEmpty {
            report.fail("\(deviations.count) deviation(s) from \(schema.name) v\(schema.version): "
                + deviations.prefix(3).map { "\($0)" }.joined(separator: "; ") + (deviations.count > 3 ? "; ..." : ""))
            return
        }

        // 2. Per-record checksums, by the module that defines them.
        switch schemaName {
        case ImageSetLayout.schemaName:
            do {
                let (problems, sets) = try ImageSetIntegrity.check(file: path)
                if problems.isEmpty {
                    let records = sets.reduce(0) { $0 + $1.count }
                    report.pass("schema ok; \(sets.count) image sets, \(records) records: every content digest recomputed and matching")
                } else {
                    report.fail("\(problems.count) integrity problem(s): "
                        + problems.prefix(3).map { "\($0)" }.joined(separator: "; ") + (problems.count > 3 ? "; ..." : ""))
                }
            } catch {
                report.fail("per-record check could not read the file: \(error)")
            }
        case ArchiveLayout.schemaName:
            do {
                let problems = try ArchiveIntegrity.verify(path: path)
                if problems.isEmpty {
                    let runs = (try? ArchiveReader(path: path).runs.count).map { "\($0) runs" } ?? "every run"
                    report.pass("schema ok; \(runs): SHA-256 of every run's tensor bytes recomputed and matching")
                } else {
                    report.fail("\(problems.count) integrity problem(s): "
                        + problems.prefix(3).map { "\($0)" }.joined(separator: "; ") + (problems.count > 3 ? "; ..." : ""))
                }
            } catch {
                report.fail("per-record check could not read the archive: \(error)")
            }
        default:
            report.rule = "schema"
            report.pass("schema \(schema.name) v\(schema.version) ok (this schema stores no per-record checksums)")
        }
    }

    /// One line: counts and first examples, then the network module's hints.
    static func summary(_ m: StateDictMismatch) -> String {
        func some(_ names: [String]) -> String {
            names.prefix(2).joined(separator: ", ") + (names.count > 2 ? ", ..." : "")
        }
        var parts = [String]()
        if !m.missing.isEmpty { parts.append("\(m.missing.count) missing (\(some(m.missing)))") }
        if !m.unexpected.isEmpty { parts.append("\(m.unexpected.count) unexpected (\(some(m.unexpected)))") }
        if !m.shapeMismatches.isEmpty {
            let first = m.shapeMismatches[0]
            parts.append("\(m.shapeMismatches.count) wrong shape (\(first.name) \(first.found), expected \(first.expected))")
        }
        if !m.dtypeMismatches.isEmpty { parts.append("\(m.dtypeMismatches.count) wrong dtype") }
        return (parts + m.hints).joined(separator: "; ")
    }

    static func readHead(_ path: String, count: Int) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: count)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, count) }
        return Array(buf.prefix(max(n, 0)))
    }
}
