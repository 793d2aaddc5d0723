/// One per-epoch metric of one trial (`train_acc1es`, `eval_losses['x-valid@*']`, ...):
/// index = epoch, `nil` where the trial did not record that epoch (old-format trials
/// evaluated some sets at the last epoch only).
public struct EpochSeries: Equatable, Sendable {
    public var values: [Double?]

    public init(values: [Double?]) { self.values = values }

    /// A series of `count` epochs with nothing recorded yet.
    public init(count: Int) { values = Array(repeating: nil, count: count) }

    public var count: Int { values.count }

    public subscript(epoch: Int) -> Double? {
        get { values.indices.contains(epoch) ? values[epoch] : nil }
        set { values[epoch] = newValue }
    }

    /// True when every epoch has a value.
    public var isComplete: Bool { values.allSatisfy { $0 != nil } }
    /// True when no epoch has a value (an empty `eval_times` dict, for example).
    public var isEmpty: Bool { values.allSatisfy { $0 == nil } }

    public static func == (a: EpochSeries, b: EpochSeries) -> Bool {
        // Bitwise: a round trip must keep every number exactly (and NaN equal to itself).
        a.values.count == b.values.count && zip(a.values, b.values).allSatisfy { x, y in
            switch (x, y) {
            case (nil, nil): return true
            case let (x?, y?): return x.bitPattern == y.bitPattern
            default: return false
            }
        }
    }
}

/// numpy's float64 reductions, bit for bit: `np.sum` and `np.mean` use pairwise summation
/// (blocks of 8 accumulators up to 128 elements, recursive halves above), which rounds
/// differently from a left-to-right sum once there are 8 or more values. Upstream averages
/// seeds and sums times with them, so answers that must match upstream use these.
public enum NumpyReduction {
    public static func sum(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { pairwise($0[...]) }
    }

    public static func mean(_ values: [Double]) -> Double {
        sum(values) / Double(values.count)
    }

    private static func pairwise(_ a: Slice<UnsafeBufferPointer<Double>>) -> Double {
        let n = a.count
        let base = a.startIndex
        if n < 8 {
            var result = 0.0
            for x in a { result += x }
            return result
        }
        if n <= 128 {
            var r = (0..<8).map { a[base + $0] }
            var i = 8
            while i < n - n % 8 {
                for j in 0..<8 { r[j] += a[base + i + j] }
                i += 8
            }
            var result = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n { result += a[base + i]; i += 1 }
            return result
        }
        var half = n / 2
        half -= half % 8
        return pairwise(a[base..<(base + half)]) + pairwise(a[(base + half)..<a.endIndex])
    }
}
