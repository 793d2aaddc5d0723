// libFuzzer target: the JPEG/PNG decode path (NASDatasets' ImageDecoder over libjpeg-turbo
// and libpng's simplified API), compiled together with ImageDecoder*.swift by
// Tools/fuzz.sh image. Crashes inside the C libraries are noted in the README.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let decoder = FuzzDecoder.shared
    decoder.maxPixels = 1 << 22
    _ = try? decoder.decode(Array(UnsafeBufferPointer(start: data, count: size)), path: "fuzz")
    return 0
}

enum FuzzDecoder {
    nonisolated(unsafe) static let shared = ImageDecoder()
}
