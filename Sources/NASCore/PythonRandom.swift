/// CPython 3's `random.Random`, bit for bit, for the parts NAS-Bench-201 depends on:
/// MT19937 seeded the way `random.seed(int)` seeds it, `getrandbits`, `_randbelow`,
/// `shuffle` and `random()`.
///
/// Upstream derives two things from it: the canonical architecture order
/// (`random.seed(88); random.shuffle(cells)`) and `cifar-split.txt`
/// (`random.seed(1021); random.shuffle(list(range(50000)))`). Ported from the algorithm
/// description (Matsumoto & Nishimura's MT19937 with `init_by_array`; CPython's rules
/// for turning an int seed into the key and for drawing bounded integers).
public struct PythonRandom: Sendable {
    private static let n = 624
    private static let m = 397
    private var state = [UInt32](repeating: 0, count: 624)
    private var position = 624

    /// `random.seed(seed)` for an int seed: the key is the 32-bit words of |seed|,
    /// least significant first (a zero seed gives the key `[0]`).
    public init(seed: Int) {
        var magnitude = seed.magnitude
        var key: [UInt32] = []
        repeat {
            key.append(UInt32(truncatingIfNeeded: magnitude))
            magnitude >>= 32
        } while magnitude != 0
        self.init(key: key)
    }

    /// Seeds with MT19937's `init_by_array(key)`.
    public init(key: [UInt32]) {
        initGenrand(19_650_218)
        let keyLength = max(key.count, 1)
        let key = key.isEmpty ? [0] : key
        var i = 1, j = 0
        for _ in 0..<max(PythonRandom.n, keyLength) {
            let previous = state[i - 1] ^ (state[i - 1] >> 30)
            state[i] = (state[i] ^ (previous &* 1_664_525)) &+ key[j] &+ UInt32(j)
            i += 1; j += 1
            if i >= PythonRandom.n { state[0] = state[PythonRandom.n - 1]; i = 1 }
            if j >= keyLength { j = 0 }
        }
        for _ in 0..<(PythonRandom.n - 1) {
            let previous = state[i - 1] ^ (state[i - 1] >> 30)
            state[i] = (state[i] ^ (previous &* 1_566_083_941)) &- UInt32(i)
            i += 1
            if i >= PythonRandom.n { state[0] = state[PythonRandom.n - 1]; i = 1 }
        }
        state[0] = 0x8000_0000
        position = PythonRandom.n
    }

    private mutating func initGenrand(_ seed: UInt32) {
        state[0] = seed
        for i in 1..<PythonRandom.n {
            state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
        }
        position = PythonRandom.n
    }

    /// The next raw 32-bit output (`genrand_uint32`).
    public mutating func nextUInt32() -> UInt32 {
        if position >= PythonRandom.n { twist() }
        var y = state[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    private mutating func twist() {
        let n = PythonRandom.n, m = PythonRandom.m
        for k in 0..<n {
            let y = (state[k] & 0x8000_0000) | (state[(k + 1) % n] & 0x7FFF_FFFF)
            var next = state[(k + m) % n] ^ (y >> 1)
            if y & 1 != 0 { next ^= 0x9908_B0DF }
            state[k] = next
        }
        position = 0
    }

    /// `random.getrandbits(k)` for 0 <= k <= 64: 32-bit words are drawn least significant
    /// first, and the last (partial) word keeps its top bits, as CPython does.
    public mutating func getrandbits(_ k: Int) -> UInt64 {
        precondition((0...64).contains(k), "getrandbits supports 0...64 bits here, not \(k)")
        if k == 0 { return 0 }
        if k <= 32 { return UInt64(nextUInt32() >> UInt32(32 - k)) }
        let low = UInt64(nextUInt32())
        let high = UInt64(nextUInt32() >> UInt32(64 - k))
        return low | high << 32
    }

    /// `random._randbelow(n)` (the getrandbits variant): draw `n.bit_length()` bits until below n.
    public mutating func randbelow(_ n: Int) -> Int {
        precondition(n > 0, "randbelow needs a positive bound")
        let k = Int.bitWidth - n.leadingZeroBitCount
        var r = getrandbits(k)
        while r >= UInt64(n) { r = getrandbits(k) }
        return Int(r)
    }

    /// `random.shuffle(x)`: Fisher-Yates from the end, `j = _randbelow(i + 1)`.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, through: 1, by: -1) {
            let j = randbelow(i + 1)
            array.swapAt(i, j)
        }
    }

    /// `random.random()`: a 53-bit float in [0, 1).
    public mutating func random() -> Double {
        let a = Double(nextUInt32() >> 5), b = Double(nextUInt32() >> 6)
        return (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }
}

extension PythonRandom {
    /// `random.randint(a, b)`: `a + _randbelow(b - a + 1)`.
    public mutating func randint(_ a: Int, _ b: Int) -> Int {
        a + randbelow(b - a + 1)
    }

    /// `random.choice(seq)`: `seq[_randbelow(len(seq))]`.
    public mutating func choice<C: RandomAccessCollection>(_ seq: C) -> C.Element where C.Index == Int {
        seq[seq.startIndex + randbelow(seq.count)]
    }
}
