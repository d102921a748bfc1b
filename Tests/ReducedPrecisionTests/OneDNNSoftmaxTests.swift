import ReducedPrecision
import TensorKit
import TestSupport
import XCTest

/// oneDNN's softmax against TensorKit's float32 `Softmax`, which matches PyTorch's.
final class OneDNNSoftmaxTests: XCTestCase {
    func testMatchesTensorKitSoftmaxToFloat32Precision() throws {
        let softmax = try OneDNNSoftmax()
        for threads in [1, 2] {
            let context = try ReducedPrecisionContext(threadCount: threads)
            for (rows, columns) in [(12 * 485, 485), (3, 1), (7, 77), (1, 1000)] {
                var generator = SplitMix64(seed: UInt64(rows * columns + threads))
                // Spread like attention scores, with one large outlier per row to exercise the max shift.
                var values = (0..<(rows * columns)).map { _ in Float.random(in: -12...12, using: &generator) }
                for row in 0..<rows { values[row * columns + (row % columns)] = 80 }
                var expected = values
                expected.withUnsafeMutableBufferPointer { Softmax.apply($0.baseAddress!, rows: rows, columns: columns) }
                try values.withUnsafeMutableBufferPointer {
                    try softmax.apply($0.baseAddress!, rows: rows, columns: columns, context: context)
                }
                let report = ErrorReport(values, expected)
                XCTAssertLessThan(report.relativeMax, 1e-5, "\(rows)×\(columns), \(threads) threads: \(report)")
                let firstRowSum = values.prefix(columns).reduce(0, +)
                XCTAssertEqual(firstRowSum, 1, accuracy: 1e-5)
            }
        }
    }
}
