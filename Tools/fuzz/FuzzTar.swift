// libFuzzer target: tar (ustar, GNU, pax, v7) through NASDataIO.TarReader, reading every
// member's data. Tools/fuzz.sh tar.
import NASDataIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTar(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = FuzzFile.write(data, size)
    _ = try? StreamVerification.tar(path: path)
    if let tar = try? TarReader(path: path) {
        while let entry = try? tar.next() {
            if entry.isFile { _ = try? tar.contents.readToEnd(limit: 1 << 20) }
        }
    }
    return 0
}
