import Foundation
import ReducedPrecision
import TensorKit
import TestSupport
import XCTest

/// `HeadBlockAttention`'s fused AVX512-BF16 kernel against attention computed in Double from the same
/// bf16 operands, on awkward shapes: token counts around the kernel's 16-token blocks and 2-token pairs,
/// head sizes 16/48/64, row blocks that start anywhere and are not multiples of its 6-row groups
/// (every group size 1 … 6 occurs).
///
/// The bound is derived, not fitted: the kernel's only coarse rounding is the probabilities' to bf16
/// (relative ≤ 2⁻⁹ each), so `|out − ref| ≤ 2⁻⁹ · Σⱼ pⱼ|vⱼ|` plus float32 sums and e^x (≈ 1e-6 relative);
/// the test allows `2⁻⁸ · Σⱼ pⱼ|vⱼ| + 1e-6` per element.
final class FusedBF16AttentionTests: XCTestCase {
    func testMatchesDoubleAttentionOnTailShapes() throws {
        let probe = try HeadBlockAttention(heads: 1, headDim: 64, scale: 1)
        guard probe.usesFusedKernel else { throw XCTSkip("no AVX512-BF16 on this CPU") }
        let context = try ReducedPrecisionContext(threadCount: 1)
        for (heads, headDim, tokens) in [(1, 64, 1), (2, 64, 2), (3, 16, 15), (2, 48, 17), (1, 64, 33), (12, 64, 485),
                                         (2, 32, 64), (1, 16, 3), (1, 64, 4), (2, 16, 5)] {
            let scale = Float(1 / Double(headDim).squareRoot())
            let attention = try HeadBlockAttention(heads: heads, headDim: headDim, scale: scale)
            let hidden = heads * headDim
            var generator = SplitMix64(seed: UInt64(heads * 10_000 + headDim * 100 + tokens))
            let packed = (0..<(2 * tokens * 3 * hidden)).map { _ in
                BF16Bits.bits(Float.random(in: -3...3, using: &generator))
            }
            let sequence = 1  // the second of two sequences: offsets by sequence must be right
            // Row blocks that start anywhere and end on the last token: 0..<1, 1..<6, 6..<tokens.
            let cuts = [0, min(1, tokens), min(6, tokens), tokens]
            for head in [0, heads - 1] {
                let reference = Self.reference(packed, tokens: tokens, sequence: sequence, head: head, heads: heads,
                                               headDim: headDim, scale: scale)
                var output = [Float](repeating: .nan, count: 2 * tokens * hidden)
                var bf16Output = [UInt16](repeating: 0x7FC0, count: 2 * tokens * hidden)  // bf16 NaN
                for (start, end) in zip(cuts, cuts.dropFirst()) where start < end {
                    try output.withUnsafeMutableBytes { raw in
                        try attention.apply(packedBF16: packed, tokens: tokens, sequence: sequence, head: head,
                                            rows: start..<end, into: raw.baseAddress!, outputType: .float32,
                                            context: context)
                    }
                    try bf16Output.withUnsafeMutableBytes { raw in
                        try attention.apply(packedBF16: packed, tokens: tokens, sequence: sequence, head: head,
                                            rows: start..<end, into: raw.baseAddress!, outputType: .bf16,
                                            context: context)
                    }
                }
                let shape = "\(heads)×\(headDim), \(tokens) tokens, head \(head)"
                var worst = 0.0
                for row in 0..<(2 * tokens) {
                    for column in 0..<hidden {
                        let index = row * hidden + column
                        let mine = row / tokens == sequence && column / headDim == head
                        guard mine else {
                            XCTAssertTrue(output[index].isNaN, "\(shape): wrote outside its block at \(row), \(column)")
                            XCTAssertEqual(bf16Output[index], 0x7FC0, "\(shape): wrote outside its block (bf16)")
                            continue
                        }
                        let (value, magnitude) = reference[(row % tokens) * headDim + column % headDim]
                        let error = abs(Double(output[index]) - value)
                        let allowed = magnitude / 256 + 1e-6
                        XCTAssertLessThanOrEqual(error, allowed, "\(shape): row \(row % tokens), column \(column % headDim)")
                        worst = max(worst, error / allowed)
                        let rounded = BF16Bits.bits(output[index])
                        XCTAssertLessThanOrEqual(BF16Bits.distance([bf16Output[index]], [rounded]).largest, 1,
                                                 "\(shape): bf16 output vs float32 output rounded")
                    }
                }
                if tokens > 1 { XCTAssertGreaterThan(worst, 0, "\(shape): no bf16 rounding visible at all") }
            }
        }
    }

    /// Per element of `[tokens, headDim]`: attention of `head` in `sequence`, in Double from the bf16 operands,
    /// and `Σⱼ pⱼ|vⱼ|` (the scale of its error bound).
    static func reference(_ packed: [UInt16], tokens: Int, sequence: Int, head: Int, heads: Int, headDim: Int,
                          scale: Float) -> [(value: Double, magnitude: Double)] {
        let hidden = heads * headDim, width = 3 * hidden
        func operand(_ part: Int, _ token: Int, _ d: Int) -> Double {
            Double(BF16Bits.float(packed[(sequence * tokens + token) * width + part * hidden + head * headDim + d]))
        }
        var result: [(value: Double, magnitude: Double)] = []
        for i in 0..<tokens {
            let scores = (0..<tokens).map { j in
                Double(scale) * (0..<headDim).reduce(0.0) { $0 + operand(0, i, $1) * operand(1, j, $1) }
            }
            let top = scores.max() ?? 0
            let exponentials = scores.map { Foundation.exp($0 - top) }
            let sum = exponentials.reduce(0, +)
            for e in 0..<headDim {
                var value = 0.0, magnitude = 0.0
                for j in 0..<tokens {
                    let p = exponentials[j] / sum, v = operand(2, j, e)
                    value += p * v
                    magnitude += p * abs(v)
                }
                result.append((value, magnitude))
            }
        }
        return result
    }
}
