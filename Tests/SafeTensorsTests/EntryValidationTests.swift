import XCTest
@testable import SafeTensors

/// One tensor's entry: fields, dtype, shape, offsets and byte count; and `__metadata__`.
final class EntryValidationTests: SafeTensorsTestCase {
    /// `{"name": {"dtype": …, "shape": …, "data_offsets": …}}` from JSON fragments.
    private func header(_ name: String = "w", dtype: String = #""F32""#, shape: String = "[2]", offsets: String = "[0,8]") -> String {
        #"{"\#(name)":{"dtype":\#(dtype),"shape":\#(shape),"data_offsets":\#(offsets)}}"#
    }

    private let eightBytes = [UInt8](repeating: 0, count: 8)

    func testWrongByteCountNamesTensorShapeAndDType() throws {
        let name = "vision_model.embeddings.patch_embedding.weight"
        try assertOpenFails(fileBytes(header: header(name, shape: "[64, 3, 16, 16]", offsets: "[0, 1536]"),
                                      data: [UInt8](repeating: 0, count: 1536)),
                            .byteCountMismatch(tensor: name, byteCount: 1536, shape: [64, 3, 16, 16], dtype: .f32, needed: 196608),
                            "tensor '\(name)' has 1536 bytes but shape [64, 3, 16, 16] of F32 needs 196608")
        try assertOpenFails(fileBytes(header: header(dtype: #""BF16""#), data: eightBytes),
                            .byteCountMismatch(tensor: "w", byteCount: 8, shape: [2], dtype: .bf16, needed: 4),
                            "tensor 'w' has 8 bytes but shape [2] of BF16 needs 4")
    }

    func testMissingFields() throws {
        for field in ["dtype", "shape", "data_offsets"] {
            var fields = [#""dtype":"F32""#, #""shape":[2]"#, #""data_offsets":[0,8]"#]
            fields.removeAll { $0.hasPrefix("\"\(field)\"") }
            try assertOpenFails(fileBytes(header: #"{"w":{\#(fields.joined(separator: ","))}}"#, data: eightBytes),
                                .missingField(tensor: "w", field: field), "tensor 'w' has no '\(field)' field")
        }
    }

    func testFieldsOfTheWrongType() throws {
        try assertOpenFails(fileBytes(header: header(dtype: "32"), data: eightBytes),
                            .fieldWrongType(tensor: "w", field: "dtype", found: "a JSON number", expected: #"a string such as "F32""#),
                            #"tensor 'w' field 'dtype' is a JSON number, expected a string such as "F32""#)
        try assertOpenFails(fileBytes(header: header(shape: #""2""#), data: eightBytes),
                            .fieldWrongType(tensor: "w", field: "shape", found: "a JSON string", expected: "an array of integers"),
                            "tensor 'w' field 'shape' is a JSON string, expected an array of integers")
        try assertOpenFails(fileBytes(header: header(offsets: "null"), data: eightBytes),
                            .fieldWrongType(tensor: "w", field: "data_offsets", found: "JSON null", expected: "an array of two integers"),
                            "tensor 'w' field 'data_offsets' is JSON null, expected an array of two integers")
    }

    func testEntryNotAnObject() throws {
        try assertOpenFails(fileBytes(header: #"{"w":[1]}"#), .entryNotObject(tensor: "w", found: "a JSON array"),
                            "tensor 'w' entry is a JSON array, expected an object")
    }

    func testDuplicateFieldIsRefused() throws {
        try assertOpenFails(fileBytes(header: #"{"w":{"dtype":"F32","shape":[2],"dtype":"F32","data_offsets":[0,8]}}"#, data: eightBytes),
                            .duplicateField(tensor: "w", field: "dtype"), "tensor 'w' has field 'dtype' more than once")
    }

    func testUnknownDType() throws {
        for dtype in ["F17", "f32", "F4", ""] {
            try assertOpenFails(fileBytes(header: header(dtype: "\"\(dtype)\""), data: eightBytes),
                                .unknownDType(tensor: "w", dtype: dtype), "tensor 'w' has unknown dtype '\(dtype)'")
        }
    }

    func testNegativeDimension() throws {
        try assertOpenFails(fileBytes(header: header(shape: "[2, -3]"), data: eightBytes),
                            .negativeDimension(tensor: "w", index: 1, value: "-3"), "tensor 'w' has negative dimension -3 at shape index 1")
    }

    func testDimensionThatIsNotAnInt64() throws {
        for (literal, index) in [("1.5", 0), ("2e0", 0), ("99999999999999999999", 0), (#""2""#, 0), ("true", 0)] {
            try assertOpenFails(fileBytes(header: header(shape: "[\(literal)]"), data: eightBytes),
                                .invalidDimension(tensor: "w", index: index, value: literal),
                                "tensor 'w' shape index \(index) is \(literal), expected a non-negative 64-bit integer")
        }
    }

    func testShapeWhoseByteCountOverflows() throws {
        // 2^32 × 2^32 elements overflow on their own; 2^61 × 4 bytes overflows only with the dtype size.
        try assertOpenFails(fileBytes(header: header(shape: "[4294967296, 4294967296]"), data: eightBytes),
                            .shapeOverflow(tensor: "w", shape: [4294967296, 4294967296], dtype: .f32),
                            "tensor 'w' shape [4294967296, 4294967296] of F32 overflows a 64-bit byte count")
        try assertOpenFails(fileBytes(header: header(shape: "[2305843009213693952]"), data: eightBytes),
                            .shapeOverflow(tensor: "w", shape: [2305843009213693952], dtype: .f32),
                            "tensor 'w' shape [2305843009213693952] of F32 overflows a 64-bit byte count")
    }

    func testZeroDimensionBeforeHugeOnesIsAnEmptyTensor() throws {
        let file = try open(fileBytes(header: header(shape: "[0, 4294967296, 4294967296]", offsets: "[0, 0]")))
        XCTAssertEqual(file.info("w"), SafeTensorInfo(name: "w", dtype: .f32, shape: [0, 4294967296, 4294967296], byteOffset: 0, byteCount: 0))
        XCTAssertEqual(try file.floats("w"), [])
    }

    func testMalformedOffsets() throws {
        try assertOpenFails(fileBytes(header: header(offsets: "[0]"), data: eightBytes),
                            .invalidOffsets(tensor: "w", reason: "has 1 element"),
                            "tensor 'w' data_offsets has 1 element, expected [begin, end] as non-negative 64-bit integers")
        try assertOpenFails(fileBytes(header: header(offsets: "[0, 4, 8]"), data: eightBytes),
                            .invalidOffsets(tensor: "w", reason: "has 3 elements"),
                            "tensor 'w' data_offsets has 3 elements, expected [begin, end] as non-negative 64-bit integers")
        try assertOpenFails(fileBytes(header: header(offsets: "[-4, 4]"), data: eightBytes),
                            .invalidOffsets(tensor: "w", reason: "contain -4"),
                            "tensor 'w' data_offsets contain -4, expected [begin, end] as non-negative 64-bit integers")
        try assertOpenFails(fileBytes(header: header(offsets: "[0, 8.0]"), data: eightBytes),
                            .invalidOffsets(tensor: "w", reason: "contain 8.0"),
                            "tensor 'w' data_offsets contain 8.0, expected [begin, end] as non-negative 64-bit integers")
    }

    func testReversedOffsets() throws {
        try assertOpenFails(fileBytes(header: header(offsets: "[8, 0]"), data: eightBytes),
                            .offsetsReversed(tensor: "w", begin: 8, end: 0), "tensor 'w' data_offsets [8, 0] end before they begin")
    }

    func testMetadataIsReadAndValidated() throws {
        let valid = try open(fileBytes(header: #"{"__metadata__":{"format":"pt","note":"a \"quoted\" \u00e9"}}"#))
        XCTAssertEqual(valid.metadata, ["format": "pt", "note": "a \"quoted\" é"])
        XCTAssertEqual(valid.names, [])

        try assertOpenFails(fileBytes(header: #"{"__metadata__":["pt"]}"#), .metadataNotObject(found: "a JSON array"),
                            "__metadata__ is a JSON array, expected an object of strings")
        try assertOpenFails(fileBytes(header: #"{"__metadata__":{"epoch":3}}"#), .metadataValueNotString(key: "epoch", found: "a JSON number"),
                            "__metadata__ value for 'epoch' is a JSON number, expected a string")
        try assertOpenFails(fileBytes(header: #"{"__metadata__":{"k":"a","k":"b"}}"#), .duplicateMetadataKey("k"),
                            "__metadata__ key 'k' appears more than once")
        try assertOpenFails(fileBytes(header: #"{"__metadata__":{},"__metadata__":{}}"#), .duplicateName("__metadata__"),
                            "tensor name '__metadata__' appears more than once in the header")
    }

    func testUnknownFieldsAreIgnoredAsByTheReferenceImplementation() throws {
        let file = try open(fileBytes(header: #"{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"extra":{"x":[]}}}"#, data: [9]))
        XCTAssertEqual(try file.int64s("w"), [9])
    }
}
