import XCTest
@testable import Tensors

final class TensorTests: XCTestCase {
    func testRoundTripsTypedValues() {
        let t = Tensor(shape: [2, 3], scalars: [Float](arrayLiteral: 1, 2, 3, 4, 5, -6))
        XCTAssertEqual(t.dtype, .float32)
        XCTAssertEqual(t.bytes.count, 24)
        XCTAssertEqual(t.scalars(as: Float.self), [1, 2, 3, 4, 5, -6])
        XCTAssertEqual(Array(t.bytes[0..<4]), [0x00, 0x00, 0x80, 0x3f]) // 1.0f, little-endian
    }

    func testFloatValuesConvertEveryDType() {
        XCTAssertEqual(Tensor(shape: [2], scalars: [Int64(7), -2]).floatValues(), [7, -2])
        // 1.0 in half precision is 0x3c00; in bfloat16 0x3f80.
        XCTAssertEqual(Tensor(dtype: .float16, shape: [1], bytes: [0x00, 0x3c]).floatValues(), [1])
        XCTAssertEqual(Tensor(dtype: .bfloat16, shape: [1], bytes: [0x80, 0x3f]).floatValues(), [1])
    }

    func testDTypeNamesRoundTrip() {
        for d in DType.allCases {
            XCTAssertEqual(DType(torchStorageName: d.torchStorageName), d)
            XCTAssertEqual(DType(safetensorsName: d.safetensorsName), d)
        }
    }
}

final class StateDictTests: XCTestCase {
    func testKeepsInsertionOrderAndReplacesInPlace() {
        var sd = StateDict()
        sd["b"] = Tensor(shape: [1], scalars: [Float(1)])
        sd["a"] = Tensor(shape: [1], scalars: [Float(2)])
        sd["b"] = Tensor(shape: [1], scalars: [Float(3)])
        XCTAssertEqual(sd.names, ["b", "a"])
        XCTAssertEqual(sd["b"]?.scalars(as: Float.self), [3])
        sd["b"] = nil
        XCTAssertEqual(sd.names, ["a"])
        XCTAssertEqual(sd["a"]?.scalars(as: Float.self), [2])
    }
}
