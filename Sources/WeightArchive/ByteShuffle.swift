/// HDF5's shuffle filter (H5Z_FILTER_SHUFFLE), done in our own threads.
///
/// For an element size `s`, byte `j` of element `i` moves to position `j * n + i`
/// (`n` = number of whole elements): all first bytes, then all second bytes, ...
/// Trailing bytes that do not fill an element are copied unchanged at the end.
/// Grouping the exponent bytes of float32 weights together is what lets deflate
/// find redundancy in otherwise noisy mantissas.
public enum ByteShuffle {
    public static func shuffle(_ input: UnsafeRawBufferPointer, elementSize s: Int,
                               into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= input.count)
        let n = input.count / s
        guard s > 1, n > 1 else {
            output.copyMemory(from: input)
            return
        }
        let src = input.bindMemory(to: UInt8.self)
        let dst = output.bindMemory(to: UInt8.self)
        for j in 0..<s {
            let base = j * n
            var k = j
            for i in 0..<n {
                dst[base + i] = src[k]
                k += s
            }
        }
        for t in (n * s)..<input.count { dst[t] = src[t] }
    }

    public static func unshuffle(_ input: UnsafeRawBufferPointer, elementSize s: Int,
                                 into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= input.count)
        let n = input.count / s
        guard s > 1, n > 1 else {
            output.copyMemory(from: input)
            return
        }
        let src = input.bindMemory(to: UInt8.self)
        let dst = output.bindMemory(to: UInt8.self)
        for j in 0..<s {
            let base = j * n
            var k = j
            for i in 0..<n {
                dst[k] = src[base + i]
                k += s
            }
        }
        for t in (n * s)..<input.count { dst[t] = src[t] }
    }
}
