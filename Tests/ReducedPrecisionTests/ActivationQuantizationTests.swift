@testable import ReducedPrecision
import XCTest

/// The dynamic u8 quantization parameters, checked against ONNX Runtime's formula by hand:
/// range widened to hold 0, `scale = (max − min) / 255`, `zeroPoint = round(−min / scale)`.
final class ActivationQuantizationTests: XCTestCase {
    func testMixedSignRange() {
        let values: [Float] = [-1, 0.5, 3, 2, -0.25]
        let parameters = values.withUnsafeBufferPointer {
            ActivationQuantization($0.baseAddress!, rows: 1, columns: 5, rowStride: 5)
        }
        XCTAssertEqual(parameters.scale, 4 / 255)
        XCTAssertEqual(parameters.zeroPoint, 64)  // 1 / (4/255) = 63.75
    }

    func testPositiveRangeStartsAtZero() {
        let parameters = ActivationQuantization(lowest: 0.5, highest: 2)
        XCTAssertEqual(parameters.scale, 2 / 255)
        XCTAssertEqual(parameters.zeroPoint, 0)
    }

    func testNegativeRangeEndsAtZero() {
        let parameters = ActivationQuantization(lowest: -5.1, highest: -1)
        XCTAssertEqual(parameters.scale, 5.1 / 255)
        XCTAssertEqual(parameters.zeroPoint, 255)
    }

    func testAllZeroHasUnitScale() {
        XCTAssertEqual(ActivationQuantization(lowest: 0, highest: 0), ActivationQuantization(lowest: 0, highest: 0))
        XCTAssertEqual(ActivationQuantization(lowest: 0, highest: 0).scale, 1)
        XCTAssertEqual(ActivationQuantization(lowest: 0, highest: 0).zeroPoint, 0)
    }

    func testRangeReadsOnlyTheRowsColumnsAcrossTheVectorTail() {
        // 2 rows of 37 columns in rows of stride 40; the 3 padding columns hold values that must be ignored.
        var values = [Float](repeating: 0, count: 80)
        for r in 0..<2 { for c in 0..<40 { values[r * 40 + c] = c < 37 ? Float(c) / 36 - 0.25 : 100 } }
        values[40 + 36] = 1.5  // the maximum, in the scalar tail of row 1
        values[17] = -0.75     // the minimum, inside a 16-wide chunk of row 0
        let parameters = values.withUnsafeBufferPointer {
            ActivationQuantization($0.baseAddress!, rows: 2, columns: 37, rowStride: 40)
        }
        XCTAssertEqual(parameters, ActivationQuantization(lowest: -0.75, highest: 1.5))
    }
}
