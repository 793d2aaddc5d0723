/// Outputs of CPython 3.x's `random` module, recorded with:
///
///     random.seed(88); [random.getrandbits(32) for _ in range(3)]; random.random()
///     random.seed(1 << 40 | 12345); random.getrandbits(48)
enum PythonRandomExpectations {
    static let seed88Bits: [UInt64] = [1_707_201_716, 4_182_107_318, 813_946_014]
    static let seed88RandomAfter3 = 0.3328080617073127
    static let bigSeedBits48: UInt64 = 98_313_134_401_053
}
