import XCTest
@testable import SafeTensors

/// Integer and BOOL tensors widened to Int64.
final class IntegerConversionTests: SafeTensorsTestCase {
    private func widened<T: FixedWidthInteger>(_ values: [T], as dtype: SafeTensorsDType) throws -> [Int64] {
        try openSingle(dtype, count: values.count, bytes: SafeTensorsWriter.littleEndianBytes(values)).int64s("t")
    }

    func testSignedTypesKeepTheirSign() throws {
        XCTAssertEqual(try widened([Int64.min, -1, 0, 76, Int64.max], as: .i64), [Int64.min, -1, 0, 76, Int64.max])
        XCTAssertEqual(try widened([Int32.min, -7, Int32.max], as: .i32), [-2_147_483_648, -7, 2_147_483_647])
        XCTAssertEqual(try widened([Int16.min, -2, Int16.max], as: .i16), [-32768, -2, 32767])
        XCTAssertEqual(try widened([Int8.min, -1, Int8.max], as: .i8), [-128, -1, 127])
    }

    func testUnsignedTypesAreZeroExtended() throws {
        XCTAssertEqual(try widened([UInt32.max, 1], as: .u32), [4_294_967_295, 1])
        XCTAssertEqual(try widened([UInt16.max, 2], as: .u16), [65535, 2])
        XCTAssertEqual(try widened([UInt8.max, 3], as: .u8), [255, 3])
        XCTAssertEqual(try widened([UInt64(Int64.max), 4], as: .u64), [Int64.max, 4])
        XCTAssertEqual(try widened([UInt8(0), 1, 1], as: .bool), [0, 1, 1])
    }

    func testU64AboveInt64MaxIsRefused() throws {
        let file = try openSingle(.u64, count: 2, bytes: SafeTensorsWriter.littleEndianBytes([UInt64(5), UInt64.max]))
        assertFails(try file.int64s("t"), url: file.url, .integerOutOfRange(tensor: "t", dtype: .u64, value: UInt64.max),
                    "tensor 't' (U64) holds 18446744073709551615, which does not fit in Int64")
    }

    func testPositionIdsBufferReadsAsInt64() throws {
        var writer = SafeTensorsWriter()
        writer.add("clip.text_model.embeddings.position_ids", shape: [1, 77], int64s: (0..<77).map(Int64.init))
        writer.add("w", shape: [1], floats: [0.5])
        let file = try open(Array(writer.serialized()))
        XCTAssertEqual(file.info("clip.text_model.embeddings.position_ids")?.dtype, .i64)
        XCTAssertEqual(try file.int64s("clip.text_model.embeddings.position_ids"), (0..<77).map(Int64.init))
    }

    func testFloatTensorsAreNotIntegers() throws {
        for dtype in [SafeTensorsDType.f32, .f16, .bf16, .f64, .f8e4m3] {
            let file = try openSingle(dtype, count: 1, bytes: [UInt8](repeating: 0, count: dtype.byteSize))
            assertFails(try file.int64s("t"), url: file.url, .notConvertible(tensor: "t", dtype: dtype, target: "Int64"),
                        "tensor 't' is \(dtype.rawValue) and cannot be read as Int64")
        }
    }

    func testFloat8IsParsedAndSizeCheckedButNotConverted() throws {
        let file = try openSingle(.f8e5m2, count: 3, bytes: [1, 2, 3])
        XCTAssertEqual(file.info("t")?.byteCount, 3)
        assertFails(try file.floats("t"), url: file.url, .notConvertible(tensor: "t", dtype: .f8e5m2, target: "Float32"),
                    "tensor 't' is F8_E5M2 and cannot be read as Float32")
        XCTAssertEqual(try file.withRawBytes("t") { Array($0) }, [1, 2, 3])
    }
}
