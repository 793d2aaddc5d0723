#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Checksums
import NASBench
import Foundation

/// The rules, applied to one file. Pure functions of the file's name, size and
/// bytes, run on a worker thread with that worker's `FileHasher`.
enum FileRules {
    /// Extensions of files that should never be an HTML page.
    static let dataExtensions: Set<String> = ["pth", "pt", "pickle", "pkl", "pbz2", "gz", "tgz", "tar", "zip",
                                              "h5", "hdf5", "npy", "npz", "safetensors", "bin", "txt", "bz2",
                                              "jpeg", "jpg", "png"]

    // MARK: manifest entries

    static func check(entry: Manifest.Entry, path: String, hasher: FileHasher,
                      progress: @escaping (Int64) -> Void) -> FileReport {
        var r = FileReport(path: entry.path, kind: "manifest entry",
                           rule: "manifest \(entry.algorithm.rawValue)" + (entry.size != nil ? " + size" : "")
                               + " (line \(entry.line))")
        let size = FileWalker.size(path)
        guard size >= 0 else { r.fail("missing: \(path) does not exist or cannot be read"); return r }
        r.size = size
        if let expected = entry.size, expected != size {
            r.fail(sizeMismatch(actual: size, expected: expected, source: "the manifest"))
            return r
        }
        let digests: FileDigests
        do { digests = try hasher.hash(path: path, algorithms: [entry.algorithm], progress: progress) }
        catch { r.fail("\(error)"); return r }
        record(digests, in: &r)
        let computed = digests[entry.algorithm]!.hex
        if computed == entry.digest {
            r.pass("\(entry.algorithm.rawValue) matches")
        } else {
            var why = "\(entry.algorithm.rawValue) \(computed) != manifest \(entry.digest)"
            if let page = HTMLSniffer.sniff(path: path) { why += "; the file is \(page.description)" }
            r.fail(why)
        }
        return r
    }

    // MARK: files by name

    static func check(path: String, hasher: FileHasher, hashOnly: Bool = false, isolation: IsolatedCheck? = nil,
                      progress: @escaping (Int64) -> Void) -> FileReport {
        let name = lastComponent(path)
        let parent = parentFolder(path)
        let size = FileWalker.size(path)
        var r = FileReport(path: path, kind: "unknown", rule: "none")
        guard size >= 0 else { r.fail("cannot stat: \(String(cString: strerror(errno)))"); return r }
        r.size = size

        let suffix = ChecksumSuffix.parse(fileName: name)
        let known = KnownFiles.match(name: name, parentFolder: parent, size: size)
        let weightIndex = weightFileIndex(name)
        let natsFolder = NATSFolder.parse(parent)
        let natsIndex = natsFolder != nil ? NATSSource.index(ofMember: name) : nil
        let natsMeta = natsFolder != nil && name == NATSFolder.metaName
        let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        // A known data name outside its folder (or of another size): claims data all the same.
        let generic = KnownFiles.table.first(where: { $0.name == name })

        // Name says what the file claims to be.
        if let suffix { r.kind = suffix.kind; r.rule = suffix.rule }
        else if let known { r.kind = known.kind; r.rule = knownRule(known) }
        else if weightIndex != nil { r.kind = "NB201 weight file" }
        else if let natsFolder, natsIndex != nil || natsMeta {
            r.kind = "NATS-Bench \(natsFolder.space.rawValue) \(natsMeta ? "meta" : "architecture") file"
        }
        else if ext == "h5" || ext == "hdf5" { r.kind = "HDF5 file" }
        else if let generic { r.kind = generic.kind + " (by name)" }

        // An HTML page under a data file's name: the classic failed download.
        let claimsData = suffix != nil || known != nil || generic != nil || weightIndex != nil || natsIndex != nil || natsMeta
            || dataExtensions.contains(ext)
        if ext != "html", ext != "htm", let page = HTMLSniffer.sniff(path: path) {
            if claimsData {
                r.rule = "content sniff (first \(HTMLSniffer.sniffLength / 1024) KB)"
                r.fail("\(page.description)")
                return r
            }
            r.kind = "HTML page"
        }

        if let suffix {
            return checkSuffix(suffix, path: path, hasher: hasher, hashOnly: hashOnly, progress: progress, report: r)
        }
        if let known { return checkKnown(known, path: path, size: size, hasher: hasher, progress: progress, report: r) }
        if let index = weightIndex {
            StructureChecks.weightFile(path: path, index: index, report: &r)
            return r
        }
        if let natsFolder, natsIndex != nil || natsMeta {
            r.rule = natsMeta ? "structure: meta_archs = canonical \(natsFolder.space.rawValue) list"
                : "structure (index \(natsIndex!)\(natsFolder.full ? ", weights" : ""))"
            do {
                r.pass(try natsIndex.map { try NATSFileCheck.architectureFile(path: path, index: $0, folder: natsFolder) }
                    ?? NATSFileCheck.metaFile(path: path, space: natsFolder.space))
            } catch { r.fail("\(error)") }
            return r
        }
        if let isolation, ext == "h5" || ext == "hdf5" || ContentRules.isHDF5(path) {
            return isolation.run(path: path, report: r)   // libhdf5 may crash on crafted files
        }
        if ext == "h5" || ext == "hdf5" {
            StructureChecks.hdf5(path: path, report: &r)
            return r
        }
        if ContentRules.check(path: path, ext: ext, report: &r) {
            if let generic {
                r.detail += " (named like \(generic.kind) \(generic.name) but not in a \(generic.folder ?? "?")/ folder: content checked only)"
            }
            return r
        }
        if let generic {
            r.skip("named like \(generic.kind) \(generic.name) but not in a \(generic.folder ?? "?")/ folder and size differs; not checked")
        } else {
            r.skip("no rule for this file")
        }
        return r
    }

    static func knownRule(_ known: KnownFile) -> String {
        var s = "known md5"
        if known.sha256 != nil { s += "+sha256" }
        return s + (known.size != nil ? ", size \(known.size!)" : " (size unknown; name+folder)")
    }

    private static func checkSuffix(_ suffix: ChecksumSuffix, path: String, hasher: FileHasher, hashOnly: Bool,
                                    progress: @escaping (Int64) -> Void, report: FileReport) -> FileReport {
        var r = report
        do {
            let d = try hasher.hash(path: path, algorithms: [.md5], progress: progress)
            record(d, in: &r)
            let md5 = d.md5!.hex
            let hashOK = suffix.matches(md5: md5)
            var detail = hashOK ? "md5 \(md5) ends with \(suffix.suffix)"
                : "md5 \(md5) does not end with \(suffix.suffix) (corrupt, truncated or misnamed)"
            var structureOK = true
            if suffix.family != .natsBench && !hashOnly {
                // NB201 meta files are torch pickles: check the structure too (the suffix
                // rule is inferred, so independent evidence matters).
                r.rule += " + structure"
                do { detail += "; " + (try MetaFileCheck(path: path).check()) } catch {
                    structureOK = false
                    detail += "; structure: \(error)"
                }
            } else if !hashOnly, path.hasSuffix(".pickle.pbz2"), let space = NATSFileCheck.space(ofName: lastComponent(path)) {
                // The benchmark streamed one architecture at a time (bounded memory).
                r.rule += " + structure"
                do { detail += "; " + (try NATSFileCheck.singleFile(path: path, space: space)) } catch {
                    structureOK = false
                    detail += "; structure: \(error)"
                }
            }
            if hashOK && structureOK { r.pass(detail) } else { r.fail(detail) }
        } catch { r.fail("\(error)") }
        return r
    }

    private static func checkKnown(_ known: KnownFile, path: String, size: Int64, hasher: FileHasher,
                                   progress: @escaping (Int64) -> Void, report: FileReport) -> FileReport {
        var r = report
        var algorithms: Set<HashAlgorithm> = [.md5]
        if known.sha256 != nil { algorithms.insert(.sha256) }
        if let expected = known.size, expected != size {
            r.fail(sizeMismatch(actual: size, expected: expected, source: "the published size"))
            // A size that is another known file's: hash to say which one it is.
            if let other = KnownFiles.bySize(size, except: known).first,
               let d = try? hasher.hash(path: path, algorithms: [.md5], progress: progress) {
                record(d, in: &r)
                if d.md5!.hex == other.md5 {
                    r.detail += "; its content is \(other.kind) \(other.name) (files swapped or renamed)"
                }
            }
            return r
        }
        let d: FileDigests
        do { d = try hasher.hash(path: path, algorithms: algorithms, progress: progress) }
        catch { r.fail("\(error)"); return r }
        record(d, in: &r)
        let md5 = d.md5!.hex
        var problems = [String]()
        if md5 != known.md5 { problems.append("md5 \(md5) != \(known.md5)") }
        if let sha = known.sha256, let got = d.sha256?.hex, got != sha { problems.append("sha256 \(got) != \(sha)") }
        if problems.isEmpty {
            r.pass(known.sha256 != nil ? "md5 and sha256 match" : "md5 matches")
        } else {
            var why = problems.joined(separator: "; ")
            if let other = KnownFiles.byMD5(md5) {
                why += "; its content is \(other.kind) \(other.name) (files swapped or renamed)"
            } else {
                why += " (corrupt: a changed byte or a different file)"
            }
            r.fail(why)
        }
        return r
    }

    // MARK: helpers

    static func sizeMismatch(actual: Int64, expected: Int64, source: String) -> String {
        let what = actual < expected ? "truncated or incomplete download" : "larger than expected"
        return "size \(actual) bytes, \(source) is \(expected) (\(what)); not hashed"
    }

    static func record(_ d: FileDigests, in r: inout FileReport) {
        if let m = d.md5 { r.md5 = m.hex }
        if let s = d.sha256 { r.sha256 = s.hex }
    }

    /// `{index:06d}-FULL.pth` -> index.
    static func weightFileIndex(_ name: String) -> Int? {
        guard name.hasSuffix("-FULL.pth") else { return nil }
        let digits = name.dropLast("-FULL.pth".count)
        guard digits.count == 6, digits.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
        return Int(digits)
    }

    static func lastComponent(_ path: String) -> String {
        var p = Substring(path)
        while p.hasSuffix("/") && p.count > 1 { p = p.dropLast() }
        return p.split(separator: "/").last.map(String.init) ?? String(p)
    }

    static func parentFolder(_ path: String) -> String? {
        var parts = path.split(separator: "/")
        guard parts.count >= 2 else {
            // Relative bare name: the working directory's name.
            let cwd = FileManager.default.currentDirectoryPath
            return cwd.split(separator: "/").last.map(String.init)
        }
        parts.removeLast()
        return String(parts.last!)
    }
}
