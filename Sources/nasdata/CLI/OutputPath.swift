import Foundation

/// The checks every command makes on an output path before doing any work: the extension
/// names a format the command writes (`preview -o a.jpg` is refused: it writes PNG), and the
/// folder exists and is writable (else exit status 74, naming the path the user gave).
enum OutputPath {
    /// `path` must end in one of `extensions` (without dots, lower case), e.g. ["h5"].
    static func check(_ path: String, option: String = "-o", writes extensions: [String], format: String) throws {
        let ext = (path as NSString).pathExtension.lowercased()
        guard extensions.contains(ext) else {
            let allowed = extensions.map { "." + $0 }.joined(separator: ", ")
            throw CommandFailure(.usage, "\(option) \(path): this command writes \(format); give a file name ending in \(allowed)")
        }
        try checkWritable(path)
    }

    /// The folder that will hold `path` exists and can be written (the file itself is
    /// written under a temporary name there and renamed into place).
    static func checkWritable(_ path: String) throws {
        var dir = (path as NSString).deletingLastPathComponent
        if dir.isEmpty { dir = "." }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) else {
            throw CommandFailure(.cannotWrite, "cannot write \(path): the folder \(dir) does not exist")
        }
        guard isDir.boolValue else { throw CommandFailure(.cannotWrite, "cannot write \(path): \(dir) is not a folder") }
        guard access(dir, W_OK) == 0 else {
            throw CommandFailure(.cannotWrite, "cannot write \(path): the folder \(dir) is not writable (\(String(cString: strerror(errno))))")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            throw CommandFailure(.cannotWrite, "cannot write \(path): it is a folder")
        }
    }
}
