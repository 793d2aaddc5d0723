// libFuzzer target: .npy (TorchFormats.NPY), in memory and from a file. Tools/fuzz.sh npy.
import Pickle
import TorchFormats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let a = try? NPY.readArray(bytes: bytes, name: "fuzz.npy") { _ = try? a.tensor() }
    let path = FuzzFile.write(data, size)
    _ = try? NPY.verify(path: path)
    _ = try? NPY.read(path: path)
    return 0
}
