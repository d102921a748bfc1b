import XCTest
import Foundation
@testable import SafeTensors

/// The writer's output: layout, padding, escaping, and that the reader gets back what was written.
final class SafeTensorsWriterTests: SafeTensorsTestCase {
    func testLayoutIsPaddedHeaderThenTensorsInNameOrder() throws {
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        writer.add("b", dtype: .u8, shape: [2], bytes: [0xB0, 0xB1])
        writer.add("a", dtype: .u8, shape: [1], bytes: [0xA0])
        let bytes = Array(writer.serialized())

        let expectedHeader = #"{"__metadata__":{"format":"pt"},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}"#
        let length = Int(bytes[0]) | Int(bytes[1]) << 8
        XCTAssertEqual(Array(bytes[2..<8]), [0, 0, 0, 0, 0, 0])
        XCTAssertEqual(length % 8, 0)
        XCTAssertEqual(length, (expectedHeader.utf8.count + 7) / 8 * 8)
        let header = String(decoding: bytes[8..<8 + length], as: UTF8.self)
        XCTAssertEqual(header, expectedHeader + String(repeating: " ", count: length - expectedHeader.utf8.count))
        XCTAssertEqual(Array(bytes[(8 + length)...]), [0xA0, 0xB0, 0xB1])
    }

    func testRoundTripWithAwkwardNamesAndMetadata() throws {
        let names = ["quote\"d", "back\\slash", "new\nline", "tab\t", "bell\u{07}", "ünï©ødé 🙂", "__metadata__x", ""]
        var writer = SafeTensorsWriter(metadata: ["k\"ey": "va\\lue", "empty": ""])
        for (index, name) in names.enumerated() {
            writer.add(name, shape: [1], floats: [Float(index)])
        }
        let url = try path("round-trip.safetensors")
        try writer.write(to: url)

        let file = try SafeTensorsFile(url: url)
        XCTAssertEqual(file.names, names.sorted())
        XCTAssertEqual(file.metadata, ["k\"ey": "va\\lue", "empty": ""])
        for (index, name) in names.enumerated() {
            XCTAssertEqual(try file.floats(name), [Float(index)], name)
        }
        // The writer's header agrees with Foundation's JSON reading of it (no duplicates here).
        let bytes = try Data(contentsOf: url)
        let length = Int(bytes[0]) | Int(bytes[1]) << 8
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: bytes[8..<8 + length]) as? [String: Any])
        XCTAssertEqual(Set(object.keys), Set(names + ["__metadata__"]))
    }

    func testTensorsListsEveryEntryInNameOrder() throws {
        var writer = SafeTensorsWriter()
        writer.add("z", shape: [2, 2], floats: [1, 2, 3, 4])
        writer.add("y", dtype: .bf16, shape: [3], bytes: [0, 0, 0, 0, 0, 0])
        let file = try open(Array(writer.serialized()))
        XCTAssertEqual(file.tensors, [
            SafeTensorInfo(name: "y", dtype: .bf16, shape: [3], byteOffset: 0, byteCount: 6),
            SafeTensorInfo(name: "z", dtype: .f32, shape: [2, 2], byteOffset: 6, byteCount: 16),
        ])
    }

    func testConcurrentReadersSeeTheSameValues() throws {
        var writer = SafeTensorsWriter()
        let expected: [[Float]] = (0..<64).map { tensor in (0..<1000).map { Float($0) * 0.5 + Float(tensor) } }
        for (index, values) in expected.enumerated() { writer.add("t\(index)", shape: [values.count], floats: values) }
        let file = try open(Array(writer.serialized()))
        let results = ResultSlots(count: expected.count)
        DispatchQueue.concurrentPerform(iterations: expected.count) { index in
            results.set(index, (try? file.floats("t\(index)")) ?? [])
        }
        XCTAssertEqual(results.values, expected)
    }
}

/// Per-index results written from several threads.
private final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [[Float]]
    init(count: Int) { slots = Array(repeating: [], count: count) }
    func set(_ index: Int, _ value: [Float]) { lock.lock(); slots[index] = value; lock.unlock() }
    var values: [[Float]] { lock.lock(); defer { lock.unlock() }; return slots }
}
