// libFuzzer target: gzip (multi-member, padding) through NASDataIO.GzipReader, and tar.gz.
// Tools/fuzz.sh gzip.
import NASDataIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGzip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = FuzzFile.write(data, size)
    _ = try? StreamVerification.gzip(path: path)
    if StreamVerification.gzipHoldsTar(path: path) { _ = try? StreamVerification.tar(path: path) }
    return 0
}
