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
        // Any width list upstream's infer.shape.tiny config takes (not only size-space candidates).
        XCTAssertEqual(ChannelSizes.parseWidths("8:16:24:32:40"), [8, 16, 24, 32, 40])
        XCTAssertEqual(ChannelSizes.parseWidths("12:7"), [12, 7])
        for bad in ["8:16::32:40", "|none~0|", "8:0:8:8:8", "8", "08:8", "8:-8"] { XCTAssertNil(ChannelSizes.parseWidths(bad), bad) }
        XCTAssertEqual(ChannelSizes.format([12, 7]), "12:7")
    }

    /// NATS-Bench's order of the size space (`meta_archs` of NATS-sss-v1_0-50262: itertools.product
    /// of the widths over the five stages; checked against the real 32,768-entry list once).
    func testSizeSpaceIndexOrderIsNATSBenchs() throws {
        XCTAssertEqual(ChannelSizes(index: 0)?.channels, [8, 8, 8, 8, 8])
        XCTAssertEqual(ChannelSizes(index: 2)?.channels, [8, 8, 8, 8, 24])
        XCTAssertEqual(ChannelSizes(index: 284)?.channels, [8, 8, 40, 32, 40])  // the sample folder's
        XCTAssertEqual(ChannelSizes(index: 32767)?.channels, [64, 64, 64, 64, 64])
        XCTAssertNil(ChannelSizes(index: 32768))
        XCTAssertNil(ChannelSizes(index: -1))
        for index in [0, 1, 284, 12345, 32767] { XCTAssertEqual(ChannelSizes(index: index)?.index, index) }
        XCTAssertEqual(Set((0..<ChannelSizes.count).map { ChannelSizes(index: $0)!.description }).count, ChannelSizes.count)
    }

    func testSelectorPicksTheSpace() throws {
        let cell = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"
        XCTAssertEqual(try ArchitectureSelector(parsing: "0").select(), .topology(try Architecture(cell), index: 0))
        XCTAssertEqual(try ArchitectureSelector(parsing: "0").select(space: .topology), .topology(try Architecture(cell), index: 0))
        XCTAssertEqual(try ArchitectureSelector(parsing: cell).select(), .topology(try Architecture(cell), index: 0))
        let size = try ArchitectureSelector(parsing: "8:8:40:32:40").select()
        XCTAssertEqual(size, .size(try ChannelSizes("8:8:40:32:40"), index: 284))
        XCTAssertEqual(size.space, .size)
        XCTAssertEqual(size.label, "8:8:40:32:40 (index 284)")
        XCTAssertEqual(try ArchitectureSelector(parsing: "284").select(space: .size), size)
        XCTAssertEqual(try ArchitectureSelector(parsing: "8:8:40:32:40").select(space: .size), size)
        XCTAssertEqual(size.networkConfig(classes: 10), NetworkConfig(layerChannels: [8, 8, 40, 32, 40], classes: 10))
        XCTAssertEqual(try ArchitectureSelector(parsing: "0").select().networkConfig(classes: 10),
                       NetworkConfig(architecture: try Architecture(cell), dataset: .cifar10))
        XCTAssertThrowsError(try ArchitectureSelector(parsing: "8:8:8:8:8").select(space: .topology)) {
            XCTAssertEqual($0 as? ArchitectureSelectorError, .spaceMismatch("8:8:8:8:8", space: .topology))
        }
        XCTAssertThrowsError(try ArchitectureSelector(parsing: cell).select(space: .size)) {
            XCTAssertEqual($0 as? ArchitectureSelectorError, .spaceMismatch(cell, space: .size))
        }
        XCTAssertThrowsError(try ArchitectureSelector(parsing: "32768").select(space: .size)) {
            XCTAssertEqual($0 as? ArchitectureSelectorError, .indexOutOfRange(32768, space: .size))
            XCTAssertEqual("\($0)", "an index must be in 0..<32768")
        }
        XCTAssertThrowsError(try ArchitectureSelector(parsing: "8:8:8:8:12").select()) { XCTAssertTrue($0 is ChannelSizesParseError) }
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
