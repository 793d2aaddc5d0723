// libFuzzer target: bzip2 (concatenated streams, decompression cap) through
// NASDataIO.Bzip2Reader. Tools/fuzz.sh bz2.
import NASDataIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBzip2(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = FuzzFile.write(data, size)
    _ = try? StreamVerification.bzip2(path: path)
    return 0
}
