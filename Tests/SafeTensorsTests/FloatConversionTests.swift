import XCTest
@testable import SafeTensors

/// F32, F16, BF16 and F64 tensors converted to Float32, checked against values computed another way.
final class FloatConversionTests: SafeTensorsTestCase {
    func testF32IsCopiedBitForBit() throws {
        let patterns: [UInt32] = [0, 0x8000_0000, 0x3F80_0000, 0x0000_0001, 0x7F7F_FFFF, 0x7F80_0000, 0xFF80_0000,
                                  0x7FC0_0000, 0x7FA0_0001, 0xFFFF_FFFF, 0x4049_0FDB, 0xC2F6_E979]
        let file = try openSingle(.f32, count: patterns.count, bytes: SafeTensorsWriter.littleEndianBytes(patterns))
        XCTAssertEqual(try file.floats("t").map(\.bitPattern), patterns)
    }

    #if !(os(macOS) && arch(x86_64))
    func testEveryF16BitPatternMatchesSwiftFloat16() throws {
        let patterns = (0...UInt16.max).map { $0 }
        let file = try openSingle(.f16, count: patterns.count, bytes: SafeTensorsWriter.littleEndianBytes(patterns))
        let values = try file.floats("t")
        XCTAssertEqual(values.count, 65536)
        var mismatches = 0
        for (pattern, value) in zip(patterns, values) {
            let expected = Float(Float16(bitPattern: pattern))
            let same = expected.isNaN
                ? value.isNaN && value.sign == expected.sign
                : value.bitPattern == expected.bitPattern
            if !same {
                mismatches += 1
                if mismatches <= 5 { XCTFail("F16 0x\(String(pattern, radix: 16)): got \(value), expected \(expected)") }
            }
        }
        XCTAssertEqual(mismatches, 0)
    }
    #endif

    func testF16LandmarksIncludingSubnormals() throws {
        let cases: [(UInt16, Float)] = [
            (0x3C00, 1), (0xC000, -2), (0x3555, 0.333251953125), (0x7BFF, 65504),
            (0x0400, 0x1p-14), (0x0001, 0x1p-24), (0x03FF, 1023 * 0x1p-24), (0x8001, -0x1p-24),
            (0x7C00, .infinity), (0xFC00, -.infinity),
        ]
        let file = try openSingle(.f16, count: cases.count, bytes: SafeTensorsWriter.littleEndianBytes(cases.map(\.0)))
        XCTAssertEqual(try file.floats("t"), cases.map(\.1))
        let nan = try openSingle(.f16, count: 2, bytes: SafeTensorsWriter.littleEndianBytes([UInt16(0x7E00), 0xFC01]))
        let values = try nan.floats("t")
        XCTAssertTrue(values[0].isNaN && values[0].sign == .plus)
        XCTAssertTrue(values[1].isNaN && values[1].sign == .minus)
    }

    func testEveryBF16BitPatternMatchesItsArithmeticValue() throws {
        let patterns = (0...UInt16.max).map { $0 }
        let file = try openSingle(.bf16, count: patterns.count, bytes: SafeTensorsWriter.littleEndianBytes(patterns))
        let values = try file.floats("t")
        var mismatches = 0
        for (pattern, value) in zip(patterns, values) {
            // sign, 8 exponent bits (bias 127), 7 mantissa bits.
            let sign: FloatingPointSign = pattern & 0x8000 != 0 ? .minus : .plus
            let exponent = Int(pattern >> 7 & 0xFF)
            let mantissa = Float(pattern & 0x7F)
            let expected: Float
            switch exponent {
            case 0: expected = Float(sign: sign, exponent: -133, significand: mantissa)
            case 255: expected = mantissa == 0 ? (sign == .minus ? -.infinity : .infinity) : .nan
            default: expected = Float(sign: sign, exponent: exponent - 127, significand: 1 + mantissa / 128)
            }
            let same = expected.isNaN ? value.isNaN && value.sign == sign : value.bitPattern == expected.bitPattern
            if !same {
                mismatches += 1
                if mismatches <= 5 { XCTFail("BF16 0x\(String(pattern, radix: 16)): got \(value), expected \(expected)") }
            }
        }
        XCTAssertEqual(mismatches, 0)
    }

    func testBF16Landmarks() throws {
        let cases: [(UInt16, Float)] = [
            (0x3F80, 1), (0xC000, -2), (0x4049, 3.140625), (0x3E20, 0.15625), (0xBDCD, -0.10009765625),
            (0x0080, Float.leastNormalMagnitude), (0x0001, 0x1p-133), (0x7F80, .infinity), (0xFF80, -.infinity),
        ]
        let file = try openSingle(.bf16, count: cases.count, bytes: SafeTensorsWriter.littleEndianBytes(cases.map(\.0)))
        XCTAssertEqual(try file.floats("t"), cases.map(\.1))
    }

    func testF64RoundsToNearestFloat() throws {
        let doubles: [Double] = [0.1, -2.5, 1e300, -1e-50, .infinity, 16_777_217, 1 + 0x1.8p-24]
        let expected: [Float] = [0.1, -2.5, .infinity, -0.0, .infinity, 16_777_216, 1 + 0x1p-23]
        let file = try openSingle(.f64, count: doubles.count, bytes: SafeTensorsWriter.littleEndianBytes(doubles.map(\.bitPattern)))
        let values = try file.floats("t")
        XCTAssertEqual(values, expected)
        XCTAssertEqual(values[3].sign, .minus)
    }

    func testIntegerTensorsAreNotFloats() throws {
        let file = try openSingle(.i64, count: 1, bytes: SafeTensorsWriter.littleEndianBytes([Int64(3)]))
        assertFails(try file.floats("t"), url: file.url, .notConvertible(tensor: "t", dtype: .i64, target: "Float32"),
                    "tensor 't' is I64 and cannot be read as Float32")
        assertFails(try file.floats("missing"), url: file.url, .unknownTensor("missing"), "no tensor named 'missing'")
    }

    func testScalarAndMultiDimensionalShapesKeepRowMajorOrder() throws {
        var writer = SafeTensorsWriter()
        writer.add("scale", shape: [], floats: [2.6592])
        writer.add("m", shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        let file = try open(Array(writer.serialized()))
        XCTAssertEqual(file.info("scale")?.shape, [])
        XCTAssertEqual(file.info("scale")?.elementCount, 1)
        XCTAssertEqual(try file.floats("scale"), [2.6592])
        XCTAssertEqual(try file.floats("m"), [1, 2, 3, 4, 5, 6])
    }
}
