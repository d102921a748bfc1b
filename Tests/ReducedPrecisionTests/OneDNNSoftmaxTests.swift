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

    func testBF16OutputIsTheFloat32SoftmaxRoundedAndLeavesTheInput() throws {
        guard ReducedPrecisionFormat.bf16.isAvailable else { throw XCTSkip("bf16 probabilities are for bf16 CPUs") }
        let softmax = try OneDNNSoftmax()
        let context = try ReducedPrecisionContext(threadCount: 2)
        let (rows, columns) = (12 * 37, 37)
        var generator = SplitMix64(seed: 71)
        let values = (0..<(rows * columns)).map { _ in Float.random(in: -12...12, using: &generator) }
        var expected = values
        try expected.withUnsafeMutableBufferPointer {
            try softmax.apply($0.baseAddress!, rows: rows, columns: columns, context: context)
        }
        var bits = [UInt16](repeating: 0xFFFF, count: rows * columns)
        try values.withUnsafeBufferPointer { input in
            try softmax.apply(input.baseAddress!, rows: rows, columns: columns, intoBF16: &bits, context: context)
        }
        // oneDNN rounds its own float32 result, whose last bits may differ from TensorKit's: one ulp at most.
        let distance = BF16Bits.distance(bits, expected.map(BF16Bits.bits))
        XCTAssertLessThanOrEqual(distance.largest, 1, "bf16 probabilities vs float32 rounded: \(distance)")
        print("softmax bf16 output vs float32 rounded: \(distance.differing) of \(bits.count) differ, by ≤ \(distance.largest) ulp")
        var again = values
        try again.withUnsafeMutableBufferPointer {
            try softmax.apply($0.baseAddress!, rows: rows, columns: columns, intoBF16: &bits, context: context)
        }
        XCTAssertEqual(again, values, "the float32 input was changed")
    }
}
