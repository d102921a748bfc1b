import ReducedPrecision
import TensorKit
import TestSupport
import XCTest

/// bf16 attention products against TensorKit's float32 `ScaledDotProductAttention` (per-head
/// sgemm), on packed projections shaped like CLIP's (12 heads of 64).
final class BF16AttentionProductsTests: XCTestCase {
    /// Scores and outputs: bf16 operands (relative rounding ≤ 2⁻⁹ each), float32 sums.
    static let relativeRMSBound = 1e-2

    func testMatchesFloat32AttentionForSeveralSequencesAndCausalMasks() throws {
        guard ReducedPrecisionFormat.bf16.isAvailable else {
            // What this CPU offers instead: a refusal, checked before the skip says what did not run.
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: 2)
            defer { scores.deallocate() }
            XCTAssertThrowsError(try BF16AttentionProducts(heads: 2, headDim: 8, scale: 1).scores(
                packed: [Float](repeating: 0, count: 48), batch: 1, tokens: 1, into: scores, context: ReducedPrecisionContext()))
            throw XCTSkip("needs oneDNN bf16 matrix products (AVX-512, \(OneDNNRuntime.instructionSet) here); "
                          + "checked only that they are refused")
        }
        let context = try ReducedPrecisionContext(threadCount: 2)
        let (heads, headDim) = (12, 64)
        let hidden = heads * headDim
        let products = try BF16AttentionProducts(heads: heads, headDim: headDim, scale: 0.125)
        for (batch, tokens, causal) in [(1, 485, false), (3, 7, true), (2, 37, false), (1, 1, false)] {
            var generator = SplitMix64(seed: UInt64(batch * 1000 + tokens))
            let packed = (0..<(batch * tokens * 3 * hidden)).map { _ in Float.random(in: -3...3, using: &generator) }
            var expected = [Float](repeating: 0, count: batch * tokens * hidden)
            var scratch = [Float](repeating: 0, count: ScaledDotProductAttention.scratchCount(tokens: tokens))
            ScaledDotProductAttention.apply(packed: packed, batch: batch, tokens: tokens, heads: heads, headDim: headDim,
                                            scale: 0.125, causal: causal, into: &expected, scores: &scratch)

            var scores = [Float](repeating: .nan, count: products.scoreCount(batch: batch, tokens: tokens))
            try products.scores(packed: packed, batch: batch, tokens: tokens, into: &scores, context: context)
            // Head 5 of the last sequence against float32 Q Kᵀ.
            let last = batch - 1, head = min(5, heads - 1)
            var headScores = [Float](repeating: 0, count: tokens * tokens)
            packed.withUnsafeBufferPointer { p in
                let rows = p.baseAddress! + last * tokens * 3 * hidden
                MatrixMultiply.gemm(rows + head * headDim, rows + hidden + head * headDim, into: &headScores,
                                    m: tokens, n: tokens, k: headDim, transposeB: true, lda: 3 * hidden,
                                    ldb: 3 * hidden, ldc: tokens, alpha: 0.125)
            }
            let block = (last * heads + head) * tokens * tokens
            let scoreReport = ErrorReport(Array(scores[block..<(block + tokens * tokens)]), headScores)
            XCTAssertLessThan(scoreReport.relativeRMS, Self.relativeRMSBound, "scores \(batch)×\(tokens): \(scoreReport)")

            scores.withUnsafeMutableBufferPointer { s in
                for block in 0..<(batch * heads) {
                    Softmax.apply(s.baseAddress! + block * tokens * tokens, rows: tokens, columns: tokens, causal: causal)
                }
            }
            var output = [Float](repeating: .nan, count: batch * tokens * hidden)
            try products.weightedValues(probabilities: scores, packed: packed, batch: batch, tokens: tokens,
                                        into: &output, context: context)
            let report = ErrorReport(output, expected)
            XCTAssertLessThan(report.relativeRMS, Self.relativeRMSBound, "attention \(batch)×\(tokens) causal \(causal): \(report)")
            XCTAssertGreaterThan(report.relativeRMS, 1e-5, "no bf16 rounding visible in \(batch)×\(tokens): was it float32?")
            print("bf16 attention \(batch)×\(tokens) causal \(causal): scores \(scoreReport); output \(report)")
        }
    }

    /// The bf16-operand calls (rows as a bf16 projection writes them) give what the float32 calls give
    /// on the same values, and a bf16 output is the float32 output rounded (within one ulp).
    func testBF16OperandsAndOutputMatchTheFloat32Calls() throws {
        guard ReducedPrecisionFormat.bf16.isAvailable else {
            throw XCTSkip("needs oneDNN bf16 matrix products (AVX-512, \(OneDNNRuntime.instructionSet) here)")
        }
        let context = try ReducedPrecisionContext(threadCount: 2)
        let (heads, headDim, batch, tokens) = (12, 64, 2, 37)
        let products = try BF16AttentionProducts(heads: heads, headDim: headDim, scale: 0.125)
        var generator = SplitMix64(seed: 81)
        let packed = (0..<(batch * tokens * 3 * heads * headDim)).map {
            _ in SchemeEmulation.bfloat16(Float.random(in: -3...3, using: &generator))
        }
        let packedBits = packed.map(BF16Bits.bits)
        let count = products.scoreCount(batch: batch, tokens: tokens)
        var expectedScores = [Float](repeating: .nan, count: count), scores = expectedScores
        try products.scores(packed: packed, batch: batch, tokens: tokens, into: &expectedScores, context: context)
        try products.scores(packedBF16: packedBits, batch: batch, tokens: tokens, into: &scores, context: context)
        XCTAssertTrue(scores == expectedScores, "bf16-operand scores: \(ErrorReport(scores, expectedScores))")

        let probabilities = (0..<count).map { _ in SchemeEmulation.bfloat16(Float.random(in: 0...0.1, using: &generator)) }
        let probabilityBits = probabilities.map(BF16Bits.bits)
        var expected = [Float](repeating: .nan, count: batch * tokens * heads * headDim)
        try products.weightedValues(probabilities: probabilities, packed: packed, batch: batch, tokens: tokens,
                                    into: &expected, context: context)
        var float32Output = expected.map { _ in Float.nan }
        var bf16Output = [UInt16](repeating: 0xFFFF, count: expected.count)
        try float32Output.withUnsafeMutableBytes { output in
            try products.weightedValues(probabilities: probabilityBits, packedBF16: packedBits, batch: batch, tokens: tokens,
                                        into: output.baseAddress!, outputType: .float32, context: context)
        }
        try bf16Output.withUnsafeMutableBytes { output in
            try products.weightedValues(probabilities: probabilityBits, packedBF16: packedBits, batch: batch, tokens: tokens,
                                        into: output.baseAddress!, outputType: .bf16, context: context)
        }
        XCTAssertTrue(float32Output == expected, "bf16-operand output: \(ErrorReport(float32Output, expected))")
        let distance = BF16Bits.distance(bf16Output, expected.map(BF16Bits.bits))
        XCTAssertLessThanOrEqual(distance.largest, 1, "bf16 output vs float32 rounded: \(distance)")
    }
}
