import Foundation
import XCTest
import TestSupport
@testable import TensorKit

/// The polynomial exponential, the multi-accumulator reductions and the row kernels built on them,
/// on row lengths the model uses (485 tokens, 768 and 3072 features) and on every tail length.
final class VectorisedKernelTests: XCTestCase {
    func testFastExponentialIsWithinTwoUlpOfExpOverItsRange() {
        var worst = 0.0
        var x: Float = -87.3
        while x < 88.3 {
            let exact = Foundation.exp(Double(x))
            worst = maxKeepingNaN(worst, abs(Double(FastExponential.exp(x)) - exact) / exact)
            x += 0.0137
        }
        XCTAssertLessThan(worst, 2.4e-7, "2 ulp of float is 2.4e-7 relative")
        XCTAssertEqual(FastExponential.exp(0), 1)
        XCTAssertEqual(FastExponential.exp(1), Float(M_E), accuracy: 2.4e-7 * Float(M_E))
        // Clamped ends: tiny and huge but finite, never NaN.
        XCTAssertEqual(FastExponential.exp(-1000), FastExponential.exp(-87.3365478515625))
        XCTAssertGreaterThan(FastExponential.exp(-1000), 0)
        XCTAssertLessThan(FastExponential.exp(-1000), 2e-38)
        XCTAssertTrue(FastExponential.exp(1000).isFinite)
        XCTAssertGreaterThan(FastExponential.exp(1000), 2e38)
    }

    func testReductionsOverEveryTailLength() {
        for count in 0...41 {
            var values = NaiveReference.values(count, seed: UInt64(100 + count)).map { $0 * 10 + 3 }
            let sum = values.withUnsafeBufferPointer { RowReduction.sum($0.baseAddress!, count: count) }
            let exactSum = values.reduce(0.0) { $0 + Double($1) }
            XCTAssertEqual(Double(sum), exactSum, accuracy: 1e-5 * max(1, abs(exactSum)), "count \(count)")
            let mean = Float(exactSum / Double(max(count, 1)))
            let squares = values.withUnsafeBufferPointer {
                RowReduction.squaredDeviation($0.baseAddress!, count: count, from: mean)
            }
            let exactSquares = values.reduce(0.0) { $0 + (Double($1) - Double(mean)) * (Double($1) - Double(mean)) }
            XCTAssertEqual(Double(squares), exactSquares, accuracy: 1e-5 * max(1, exactSquares), "count \(count)")
            guard count > 0 else { continue }
            // The maximum wherever it sits, tail positions included.
            for position in [0, count / 2, count - 1] {
                values[position] = 100
                XCTAssertEqual(values.withUnsafeBufferPointer { RowReduction.maximum($0.baseAddress!, count: count) }, 100)
                values[position] = 0
            }
        }
        let withNaN: [Float] = [1, .nan, 7, 2, 3, 4, 5, 6, 0, .nan, 6.5]
        XCTAssertEqual(withNaN.withUnsafeBufferPointer { RowReduction.maximum($0.baseAddress!, count: $0.count) }, 7)
    }

    func testSoftmaxOfAttentionWidthRowsMatchesDouble() {
        let (rows, columns) = (3, 485)
        var x = NaiveReference.values(rows * columns, seed: 30).map { $0 * 12 }
        let expected = (0..<rows).flatMap { r in
            NaiveReference.softmax(x[(r * columns)..<((r + 1) * columns)].map(Double.init))
        }
        x.withUnsafeMutableBufferPointer { Softmax.apply($0.baseAddress!, rows: rows, columns: columns) }
        XCTAssertLessThan(NaiveReference.maxDifference(x, expected.map(Float.init)), 1e-7)
        for r in 0..<rows {
            XCTAssertEqual(x[(r * columns)..<((r + 1) * columns)].reduce(0.0) { $0 + Double($1) }, 1, accuracy: 1e-5)
        }
    }

    func testQuickGELUWithBiasOverWideRowsMatchesTheClosedForm() {
        let (rows, columns, stride) = (2, 3072 + 5, 3100)
        let start = NaiveReference.values(rows * stride, seed: 31).map { $0 * 9 }
        let bias = NaiveReference.values(columns, seed: 32)
        var y = start
        y.withUnsafeMutableBufferPointer { out in
            bias.withUnsafeBufferPointer {
                Activation.quickGELU.applyAddingBias($0.baseAddress!, to: out.baseAddress!, rows: rows,
                                                     columns: columns, stride: stride)
            }
        }
        var worst: Float = 0
        for r in 0..<rows {
            for j in 0..<stride {
                let i = r * stride + j
                if j >= columns { XCTAssertEqual(y[i], start[i], "outside the row: untouched"); continue }
                let v = Double(start[i]) + Double(bias[j])
                let exact = Float(v / (1 + Foundation.exp(-1.702 * v)))
                worst = maxKeepingNaN(worst, abs(y[i] - exact) / max(1, abs(exact)))
            }
        }
        XCTAssertLessThan(worst, 1e-6)
    }

    func testLayerNormOverModelWidthsMatchesDouble() {
        for size in [768, 512, 64, 61] {
            let rows = 3
            let x = NaiveReference.values(rows * size, seed: UInt64(size)).map { $0 * 4 + 2 }
            let gamma = NaiveReference.values(size, seed: 40), beta = NaiveReference.values(size, seed: 41)
            let y = LayerNorm(gamma: gamma, beta: beta, epsilon: 1e-5)(Tensor(shape: [rows, size], data: x))
            let expected = NaiveReference.layerNorm(x, rows: rows, size: size, gamma: gamma, beta: beta, epsilon: 1e-5)
            XCTAssertLessThan(NaiveReference.maxDifference(y.data, expected), 3e-6, "size \(size)")
        }
    }
}
