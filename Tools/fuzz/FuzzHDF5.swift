// libFuzzer target: nasdata's HDF5 layer over libhdf5 on in-memory file images (core
// driver): open, walk every group, read every dataset through its filters, attributes
// and storage layouts. Tools/fuzz.sh hdf5. Crashes inside libhdf5 itself on crafted
// files are a known limit of that library (see the README's fuzzing table).
import HDF5

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHDF5(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let image = Array(UnsafeBufferPointer(start: data, count: size))
    guard let file = try? File.open(image: image, name: "fuzz.h5") else { return 0 }
    defer { file.close() }
    _ = try? file.readEveryDataset(blockBytes: 1 << 16)
    if let members = try? file.members() {
        for (name, kind) in members where kind == .dataset {
            if let d = try? file.openDataset(name) {
                _ = try? d.storageLayout()
                _ = d.shape
                _ = d.elementType
            }
        }
    }
    return 0
}
