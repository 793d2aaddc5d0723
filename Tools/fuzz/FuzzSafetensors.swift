// libFuzzer target: safetensors (header, offsets, tensor reads). Tools/fuzz.sh safetensors.
import Pickle
import TorchFormats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = FuzzFile.write(data, size)
    _ = try? ContentVerification.safetensors(path: path)
    _ = try? Safetensors.read(path: path)
    if let (_, value, _) = try? AnyFile.load(path: path, kind: .safetensors) { _ = try? value.stateDict() }
    return 0
}
