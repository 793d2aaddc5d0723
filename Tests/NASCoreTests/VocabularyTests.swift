import Foundation
import XCTest
import NASCore

final class VocabularyTests: XCTestCase {
    func testScheduleKeepsTheFilesSpelling() throws {
        XCTAssertEqual(["01", "12", "90", "200"].compactMap(Schedule.init(rawValue:)).map(\.epochs), [1, 12, 90, 200])
        XCTAssertEqual(Schedule(rawValue: "1"), Schedule(rawValue: "01"))
        XCTAssertEqual(Schedule(rawValue: "1")?.rawValue, "01")
        XCTAssertEqual(Schedule(epochs: 200).rawValue, "200")
        for bad in ["", "0", "-12", "12 ", "twelve", "1e2", "+12", "９０"] { XCTAssertNil(Schedule(rawValue: bad), bad) }
        XCTAssertEqual(Schedule.nasBench201, [.twelve, .twoHundred])
        XCTAssertEqual(Schedule.nasBench201.map(\.fileKey), ["less", "full"])
        XCTAssertEqual(Schedule(nasBench201: "full"), .twoHundred)
        XCTAssertEqual(Schedule(nasBench201: "12"), .twelve)
        XCTAssertNil(Schedule(nasBench201: "90"))
        XCTAssertEqual(SearchSpaceKind.size.schedules.map(\.rawValue), ["01", "12", "90"])
        XCTAssertLessThan(Schedule.one, Schedule.ninety)
        let coded = try JSONEncoder().encode([Schedule.one])
        XCTAssertEqual(String(decoding: coded, as: UTF8.self), "[\"01\"]")
        XCTAssertEqual(try JSONDecoder().decode([Schedule].self, from: coded), [.one])
    }

    func testChannelStringsParseAndFormatExactly() throws {
        let sizes = try ChannelSizes("8:16:64:32:56")
        XCTAssertEqual(sizes.channels, [8, 16, 64, 32, 56])
        XCTAssertEqual(sizes.description, "8:16:64:32:56")
        XCTAssertEqual(ChannelSizes.choices.count, 8)
        XCTAssertEqual(SearchSpaceKind.size.count, 32_768)
        XCTAssertEqual(Int(pow(Double(ChannelSizes.choices.count), Double(ChannelSizes.stageCount))), ChannelSizes.count)
        for bad in ["8:16:64:32", "8:16:64:32:56:8", "8:16:64:32:60", "08:16:64:32:56", "8:16: 64:32:56", "", "8::64:32:56"] {
            XCTAssertThrowsError(try ChannelSizes(bad), bad)
        }
        XCTAssertNil(ChannelSizes(channels: [8, 8, 8, 8, 9]))
    }

    func testArchitectureSelectorResolvesIndexOrString() throws {
        let string = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"
        let byIndex = try ArchitectureSelector(parsing: "0").resolve()
        XCTAssertEqual(byIndex.architecture.description, string)
        XCTAssertEqual(byIndex.index, 0)
        let byString = try ArchitectureSelector(parsing: string).resolve()
        XCTAssertEqual(byString.index, 0)
        XCTAssertEqual(ArchitectureSelector(parsing: "15624"), .index(15624))
        XCTAssertThrowsError(try ArchitectureSelector.index(15625).resolve()) {
            XCTAssertEqual($0 as? ArchitectureSelectorError, .indexOutOfRange(15625))
        }
        XCTAssertThrowsError(try ArchitectureSelector.string("|none~0|").resolve()) { XCTAssertTrue($0 is ArchitectureParseError) }
    }

    func testRunKeyNamesEveryPart() {
        let key = RunKey(architecture: 1651, dataset: .cifar100, seed: 777, schedule: .twelve)
        XCTAssertEqual(key.description, "tss 1651 cifar100 seed 777 hp 12")
        XCTAssertEqual(RunKey(architecture: 3, dataset: .cifar10).description, "tss 3 cifar10 seed any hp 200")
    }
}
