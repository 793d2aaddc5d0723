import Foundation
import XCTest
@testable import NASBench
import NASCore

final class CostsTests: XCTestCase {
    /// Values printed by xautodl's `get_model_infos` on the upstream network (see the fixtures
    /// README; `costs.json` there holds a larger set that `FixtureCostsTests` checks).
    func testClosedFormMatchesUpstreamCounter() throws {
        let arch = try Architecture("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
        let cifar = arch.costs(on: .cifar10)
        XCTAssertEqual(cifar.flops, 184.73025, accuracy: 1e-9)
        XCTAssertEqual(cifar.params, 1.288506, accuracy: 1e-12)
        let small = Costs(architecture: arch, inputSize: 16, classCount: 10)
        XCTAssertEqual(small.flops, 46.18305, accuracy: 1e-9)
    }

    func testDatasets() {
        XCTAssertEqual(NB201Dataset.allCases.map(\.name), ["cifar10-valid", "cifar10", "cifar100", "ImageNet16-120"])
        XCTAssertEqual(NB201Dataset.allCases.map(\.classCount), [10, 10, 100, 120])
        XCTAssertEqual(NB201Dataset.allCases.map(\.inputSize), [32, 32, 32, 16])
        XCTAssertEqual(NB201Dataset(name: "ImageNet16-120"), .imageNet16_120)
        XCTAssertNil(NB201Dataset(name: "imagenet16-120"))
    }

    func testClassCountEntersOnlyTheClassifier() throws {
        let none = try Architecture("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
        XCTAssertEqual(none.costs(on: .cifar100).params - none.costs(on: .cifar10).params, 90 * 65 / 1e6, accuracy: 1e-12)
        XCTAssertEqual(none.costs(on: .imageNet16_120).flops, (1_945_600 + 65 * 120) / 1e6)
    }
}

final class FixtureCostsTests: XCTestCase {
    /// costs.json: FLOPs / params from xautodl's `get_model_infos` on the real network, for the
    /// evaluated fixture cells and a spread of others, on all four data sets.
    func testClosedFormsMatchUpstreamCounter() throws {
        let data = try Data(contentsOf: FixturePaths.fixtures.appendingPathComponent("costs.json"))
        let records = try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
        XCTAssertGreaterThan(records.count, 50)
        for r in records {
            let arch = try Architecture(r["arch"] as! String)
            XCTAssertEqual(SearchSpace.canonical.index(of: arch), r["index"] as? Int)
            let dataset = try XCTUnwrap(NB201Dataset(name: r["dataset"] as! String))
            let costs = arch.costs(on: dataset)
            XCTAssertEqual(costs.flops, (r["flop"] as! NSNumber).doubleValue, accuracy: 1e-9, "\(arch) \(dataset)")
            XCTAssertEqual(costs.params, (r["params"] as! NSNumber).doubleValue, accuracy: 1e-12, "\(arch) \(dataset)")
        }
    }
}
