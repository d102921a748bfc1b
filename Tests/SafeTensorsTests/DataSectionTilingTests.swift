import XCTest
@testable import SafeTensors

/// How the entries tile the data section: sorted by offset they must follow one another with no
/// gap or overlap, stay within it, and cover all of it.
final class DataSectionTilingTests: SafeTensorsTestCase {
    /// A header of U8 tensors given as (name, begin, end); shape `[end - begin]`.
    private func header(_ entries: [(String, Int, Int)]) -> String {
        let fields = entries.map { name, begin, end in
            #""\#(name)":{"dtype":"U8","shape":[\#(end - begin)],"data_offsets":[\#(begin),\#(end)]}"#
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    private func bytes(_ count: Int) -> [UInt8] { (0..<count).map { UInt8($0) } }

    func testEntriesInAnyHeaderOrderTilingTheDataAreAccepted() throws {
        // Header order differs from data order; a zero-size tensor sits between two others and one at the end.
        let file = try open(fileBytes(header: header([("c", 5, 9), ("empty", 5, 5), ("a", 0, 2), ("b", 2, 5), ("last", 9, 9)]), data: bytes(9)))
        XCTAssertEqual(file.names, ["a", "b", "c", "empty", "last"])
        XCTAssertEqual(try file.int64s("a"), [0, 1])
        XCTAssertEqual(try file.int64s("b"), [2, 3, 4])
        XCTAssertEqual(try file.int64s("c"), [5, 6, 7, 8])
        XCTAssertEqual(try file.int64s("empty"), [])
        XCTAssertEqual(file.info("c"), SafeTensorInfo(name: "c", dtype: .u8, shape: [4], byteOffset: 5, byteCount: 4))
    }

    func testOverlappingOffsets() throws {
        try assertOpenFails(fileBytes(header: header([("b", 4, 12), ("a", 0, 8)]), data: bytes(12)),
                            .overlap(tensor: "b", begin: 4, previous: "a", previousEnd: 8),
                            "tensor 'b' begins at data offset 4, inside tensor 'a' which ends at 8")
        // The same range twice.
        try assertOpenFails(fileBytes(header: header([("x", 0, 4), ("y", 0, 4)]), data: bytes(4)),
                            .overlap(tensor: "y", begin: 0, previous: "x", previousEnd: 4),
                            "tensor 'y' begins at data offset 0, inside tensor 'x' which ends at 4")
        // A zero-size tensor inside another one.
        try assertOpenFails(fileBytes(header: header([("a", 0, 4), ("z", 2, 2)]), data: bytes(4)),
                            .overlap(tensor: "z", begin: 2, previous: "a", previousEnd: 4),
                            "tensor 'z' begins at data offset 2, inside tensor 'a' which ends at 4")
    }

    func testGapBetweenOffsets() throws {
        try assertOpenFails(fileBytes(header: header([("a", 0, 4), ("b", 8, 12)]), data: bytes(12)),
                            .gap(tensor: "b", begin: 8, previous: "a", previousEnd: 4),
                            "tensor 'b' begins at data offset 8 but tensor 'a' ends at 4, leaving 4 unused bytes")
    }

    func testFirstTensorNotAtStartOfDataSection() throws {
        try assertOpenFails(fileBytes(header: header([("a", 3, 8)]), data: bytes(8)),
                            .gap(tensor: "a", begin: 3, previous: nil, previousEnd: 0),
                            "tensor 'a' is first in the data section but begins at data offset 3, not 0")
    }

    func testDataSectionLongerThanCovered() throws {
        try assertOpenFails(fileBytes(header: header([("a", 0, 4)]), data: bytes(6)),
                            .trailingData(covered: 4, dataSize: 6), "data section is 6 bytes but the tensors cover only 4")
        try assertOpenFails(fileBytes(header: "{}", data: bytes(1)),
                            .trailingData(covered: 0, dataSize: 1), "data section is 1 bytes but the tensors cover only 0")
    }

    func testDataSectionShorterThanCovered() throws {
        // A file cut short: the last tensor runs past the end.
        try assertOpenFails(fileBytes(header: header([("a", 0, 4), ("b", 4, 10)]), data: bytes(7)),
                            .tensorPastEnd(tensor: "b", end: 10, dataSize: 7),
                            "tensor 'b' ends at data offset 10, past the end of the 7-byte data section")
    }

    func testOffsetsNearInt64MaxDoNotOverflow() throws {
        let huge = Int(Int64.max)
        try assertOpenFails(fileBytes(header: header([("a", huge - 1, huge)]), data: bytes(1)),
                            .tensorPastEnd(tensor: "a", end: huge, dataSize: 1),
                            "tensor 'a' ends at data offset \(huge), past the end of the 1-byte data section")
    }
}
