import Pickle
// libFuzzer entry point for the restricted unpickler (built by Tools/fuzz-pickle.sh,
// compiled together with Sources/Pickle). Any crash, hang or sanitizer report is a bug;
// thrown PickleErrors are the expected outcome for malformed input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUnpickler(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var options = Unpickler.Options()
    options.maxStack = 1 << 16
    if let value = try? Unpickler.load(bytes: bytes, name: "fuzz", options: options) {
        // Exercise the consumers of a tree too: navigation, descriptions, hashing, conversion.
        _ = value.shortDescription
        _ = value["data"].ndarray.map { try? $0.tensor() }
        _ = try? value.stateDict()
        var w = PickleWriter()
        try? w.dump(value)
    }
    // The streaming hook path: drop every other item.
    let u = Unpickler(bytes: bytes, name: "fuzz", options: options)
    var n = 0
    u.dictItemHandler = { _ in n += 1; return n % 2 == 0 ? .drop : .keep }
    _ = try? u.load()
    return 0
}
