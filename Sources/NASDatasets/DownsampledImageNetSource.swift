import Foundation
import NASDataIO
import TorchFormats

extension DownsampledImageNet {
    /// Where one batch of the release is read from, in order of preference: the pickle
    /// `DIR/name`, the extracted `DIR/name.npz`, or `name.npz` inside a `DIR/*.zip` archive
    /// (image-net.org's `Imagenet16_train_npz.zip` / `Imagenet16_val_npz.zip`, matched by the
    /// entry's last path component).
    public enum Source: Sendable, Equatable {
        case pickle(path: String)
        case npz(path: String)
        case npzInZip(zip: String, entry: String)

        /// How errors and reports name it.
        public var description: String {
            switch self {
            case .pickle(let p), .npz(let p): return p
            case .npzInZip(let z, let e): return "\(z): \(e)"
            }
        }
    }

    /// The sources of `trainFiles + [valFile]` in `directory`, in that order. The `.zip`
    /// archives are opened (central directories only) when some batch is not found otherwise.
    public static func sources(in directory: String) throws -> [Source] {
        let names = trainFiles + [valFile]
        let fm = FileManager.default
        var found: [String: Source] = [:]
        for name in names {
            if fm.fileExists(atPath: directory + "/" + name) { found[name] = .pickle(path: directory + "/" + name) }
            else if fm.fileExists(atPath: directory + "/" + name + ".npz") { found[name] = .npz(path: directory + "/" + name + ".npz") }
        }
        if found.count < names.count {
            let zips = (try? fm.contentsOfDirectory(atPath: directory))?.filter { $0.lowercased().hasSuffix(".zip") }.sorted() ?? []
            for z in zips {
                let zipPath = directory + "/" + z
                let zip = try ZipReader(path: zipPath)
                for e in zip.entries {
                    let base = e.name.split(separator: "/").last.map(String.init) ?? e.name
                    guard base.hasSuffix(".npz") else { continue }
                    let name = String(base.dropLast(4))
                    if names.contains(name), found[name] == nil { found[name] = .npzInZip(zip: zipPath, entry: e.name) }
                }
            }
        }
        return try names.map { name in
            guard let s = found[name] else {
                throw IOError.malformed(path: directory + "/" + name, offset: nil, reason:
                    "missing: --downsampled needs train_data_batch_1..10 and val_data (pickles, .npz files, or .zip archives of the .npz files)")
            }
            return s
        }
    }

    /// Reads one batch. Pickles are checked against `expectedMD5` (an error unless
    /// `allowUnverified`); `.npz` files have no published checksums (their members are
    /// CRC-32 checked), so they come back unverified. A `.npz` inside an archive is inflated
    /// to `scratch` (deleted afterwards): one batch on disk and in memory at a time.
    public static func read(_ source: Source, expectedMD5: String?, allowUnverified: Bool, scratch: String) throws -> (Batch, verified: Bool) {
        switch source {
        case .pickle(let path):
            return try read(path: path, expectedMD5: expectedMD5, allowUnverified: allowUnverified)
        case .npz(let path):
            return (try readNpz(path: path), false)
        case .npzInZip(let zipPath, let entryName):
            let zip = try ZipReader(path: zipPath)
            guard let e = zip.entry(entryName) else {
                throw IOError.malformed(path: zipPath, offset: nil, reason: "no entry \(entryName)")
            }
            guard FileManager.default.createFile(atPath: scratch, contents: nil), let out = FileHandle(forWritingAtPath: scratch) else {
                throw IOError.malformed(path: scratch, offset: nil, reason: "cannot create a scratch file to unpack \(entryName)")
            }
            defer { try? out.close(); try? FileManager.default.removeItem(atPath: scratch) }
            try zip.forEachChunk(of: e) { try out.write(contentsOf: $0) }
            try out.close()
            return (try readNpz(path: scratch, name: source.description), false)
        }
    }
}
