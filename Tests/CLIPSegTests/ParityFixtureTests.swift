import Foundation
import XCTest
import TestSupport

/// The parity loops run over lists from reference.json; a fixture that lost one must fail to load rather
/// than give those loops nothing to check.
final class ParityFixtureTests: XCTestCase {
    func testEveryCommittedCaseHasItsLists() throws {
        for name in ParityFixture.caseNames {
            let f = try ParityFixture.committed(name)
            XCTAssertEqual(f.imageNames.count, 2, name)
            XCTAssertGreaterThanOrEqual(f.unpaddedIDs.count, 3, name)
            XCTAssertEqual(f.pooledPositions.count, f.unpaddedIDs.count, name)
            XCTAssertGreaterThan(f.grid, 0, name)
        }
    }

    func testAMissingOrEmptyListIsAnError() throws {
        let source = TestPaths.fixtures.appendingPathComponent("clipseg/p8-plain-f32")
        let original = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("reference.json"))) as? [String: Any])
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        for file in try FileManager.default.contentsOfDirectory(atPath: source.path) where file != "reference.json" {
            try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: folder.path(file))
        }
        for key in ["images", "input_ids", "pooled_positions", "grid"] {
            for damaged in [original.filter { $0.key != key }, original.merging([key: [Any]()]) { $1 }] {
                try JSONSerialization.data(withJSONObject: damaged).write(to: folder.path("reference.json"))
                XCTAssertThrowsError(try ParityFixture(name: "damaged", folder: folder.url), "reference.json without \(key)") {
                    XCTAssertTrue("\($0)".contains(key), "\($0)")
                }
            }
        }
    }
}
