// libFuzzer target: torch checkpoints, legacy and zip (TorchFormats over Pickle), as
// `inspect`, `verify` and the loaders read them. Built by Tools/fuzz.sh checkpoint.
// Thrown errors are the expected outcome; any crash, hang or sanitizer report is a bug.
import Pickle
import TorchFormats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = FuzzFile.write(data, size)
    _ = try? AnyFile.sniff(path: path)
    _ = try? ContentVerification.checkpoint(path: path)
    if let v = try? TorchCheckpoint.load(path: path) {
        _ = try? v.stateDict()
        _ = v.shortDescription
    }
    _ = try? TreeStats.gather(path: path)
    return 0
}
