import TensorKit
import TestSupport
import XCTest
@testable import CLIPSeg

/// The layer norm writing bf16 (input of the bf16 vision layers) against TensorKit's float32 one:
/// every value within one bf16 ulp (2⁻⁸ relative) of it, plus float32 noise near zero (the statistics
/// are summed in another order), and nearly all exactly its rounding; for widths with and without a
/// tail of 16 lanes and on several threads.
final class LayerNormBF16Tests: XCTestCase {
    func testBF16OutputIsTheFloat32LayerNormRounded() {
        for (size, rows, threads) in [(768, 485, 2), (40, 17, 1), (37, 3, 2), (16, 1, 1)] {
            var generator = SplitMix64(seed: UInt64(size * 100 + rows))
            let gamma = (0..<size).map { _ in Float.random(in: 0.5...1.5, using: &generator) }
            let beta = (0..<size).map { _ in Float.random(in: -0.2...0.2, using: &generator) }
            let norm = LayerNorm(gamma: gamma, beta: beta, epsilon: 1e-5)
            // A residual stream: an offset per row, spread values, a few large outliers.
            var input = (0..<(rows * size)).map { _ in Float.random(in: -3...3, using: &generator) }
            for row in 0..<rows {
                input[row * size] += 40
                for j in 0..<size { input[row * size + j] += Float(row % 7) }
            }
            var expected = [Float](repeating: 0, count: input.count)
            norm.apply(input, rows: rows, into: &expected)
            var bits = [UInt16](repeating: 0xFFFF, count: input.count)
            bits.withUnsafeMutableBufferPointer { output in
                norm.apply(input, rows: rows, intoBF16: output.baseAddress!, workspace: InferenceWorkspace(threads: threads))
            }
            var differing = 0
            for (index, (actual, reference)) in zip(bits, expected).enumerated() where actual != Self.bf16(reference) {
                differing += 1
                let value = Float(bitPattern: UInt32(actual) << 16)
                XCTAssertLessThanOrEqual(abs(value - reference), abs(reference) / 256 + 1e-5,
                                         "width \(size), element \(index): \(value) for \(reference)")
            }
            XCTAssertLessThanOrEqual(differing, input.count / 100, "width \(size): \(differing) of \(input.count) not rounded alike")
        }
    }

    /// `value` rounded to bf16, ties to even.
    private static func bf16(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        return UInt16((bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }
}
