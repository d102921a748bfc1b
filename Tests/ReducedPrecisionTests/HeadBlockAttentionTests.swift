import ReducedPrecision
import TensorKit
import TestSupport
import XCTest

/// `HeadBlockAttention` block by block against TensorKit's float32 `ScaledDotProductAttention` and
/// against the batched `BF16AttentionProducts` with `OneDNNSoftmax` (the same bf16 scheme).
final class HeadBlockAttentionTests: XCTestCase {
    func testBlocksCoverTheOutputAndMatchFloat32AndTheBatchedProducts() throws {
        try checkBlocks(allowingFusedKernel: true)
    }

    /// The three oneDNN primitives per block (what runs on AVX-512 CPUs without AVX512-BF16).
    func testOneDNNBlocksCoverTheOutputAndMatchFloat32AndTheBatchedProducts() throws {
        try checkBlocks(allowingFusedKernel: false)
    }

    private func checkBlocks(allowingFusedKernel: Bool) throws {
        guard ReducedPrecisionFormat.bf16.isAvailable else { throw XCTSkip("no bf16 matmul on this CPU") }
        let context = try ReducedPrecisionContext(threadCount: 1)
        let (heads, headDim) = (12, 64)
        let hidden = heads * headDim
        let attention = try HeadBlockAttention(heads: heads, headDim: headDim, scale: 0.125,
                                               allowsFusedKernel: allowingFusedKernel)
        if !allowingFusedKernel { XCTAssertFalse(attention.usesFusedKernel) }
        let batched = try BF16AttentionProducts(heads: heads, headDim: headDim, scale: 0.125)
        let softmax = try OneDNNSoftmax()
        for (batch, tokens) in [(1, 485), (2, 37), (1, 1), (1, 513)] {
            let blocks = attention.blocks(batch: batch, tokens: tokens)
            let rowBlocks = (tokens + HeadBlockAttention.largestBlock - 1) / HeadBlockAttention.largestBlock
            XCTAssertEqual(blocks.count, batch * heads * rowBlocks)
            XCTAssertTrue(blocks.allSatisfy { $0.rows.count <= HeadBlockAttention.largestBlock })

            var generator = SplitMix64(seed: UInt64(batch * 1000 + tokens))
            let packed = (0..<(batch * tokens * 3 * hidden)).map {
                _ in SchemeEmulation.bfloat16(Float.random(in: -3...3, using: &generator))
            }
            let packedBits = packed.map(BF16Bits.bits)
            var expected = [Float](repeating: 0, count: batch * tokens * hidden)
            var scratch = [Float](repeating: 0, count: ScaledDotProductAttention.scratchCount(tokens: tokens))
            ScaledDotProductAttention.apply(packed: packed, batch: batch, tokens: tokens, heads: heads, headDim: headDim,
                                            scale: 0.125, causal: false, into: &expected, scores: &scratch)

            var output = [Float](repeating: .nan, count: expected.count)
            var bf16Output = [UInt16](repeating: 0xFFFF, count: expected.count)
            for block in blocks {
                try output.withUnsafeMutableBytes { raw in
                    try attention.apply(packedBF16: packedBits, tokens: tokens, sequence: block.sequence, head: block.head,
                                        rows: block.rows, into: raw.baseAddress!, outputType: .float32, context: context)
                }
                try bf16Output.withUnsafeMutableBytes { raw in
                    try attention.apply(packedBF16: packedBits, tokens: tokens, sequence: block.sequence, head: block.head,
                                        rows: block.rows, into: raw.baseAddress!, outputType: .bf16, context: context)
                }
            }
            XCTAssertFalse(output.contains { $0.isNaN }, "\(batch)×\(tokens): some output was not written")
            let report = ErrorReport(output, expected)
            XCTAssertLessThan(report.relativeRMS, BF16AttentionProductsTests.relativeRMSBound, "\(batch)×\(tokens): \(report)")
            if tokens > 1 {  // one token: probability 1, the output is the (bf16) value itself
                XCTAssertGreaterThan(report.relativeRMS, 1e-5, "no bf16 rounding visible in \(batch)×\(tokens): was it float32?")
            }
            let distance = BF16Bits.distance(bf16Output, output.map(BF16Bits.bits))
            XCTAssertLessThanOrEqual(distance.largest, 1, "\(batch)×\(tokens) bf16 output vs float32 rounded: \(distance)")

            // The batched products with a separate softmax: the same scheme, other summation orders. oneDNN's
            // softmax with a bf16 output is not exactly its float32 result rounded (a quarter of the values are
            // 1 ulp off, see OneDNNSoftmaxTests); the fused kernel rounds the float32 probabilities to nearest.
            var scores = [Float](repeating: 0, count: batched.scoreCount(batch: batch, tokens: tokens))
            try batched.scores(packedBF16: packedBits, batch: batch, tokens: tokens, into: &scores, context: context)
            var probabilities = [UInt16](repeating: 0, count: scores.count)
            if attention.usesFusedKernel {
                scores.withUnsafeMutableBufferPointer {
                    Softmax.apply($0.baseAddress!, rows: batch * heads * tokens, columns: tokens)
                }
                probabilities = scores.map(BF16Bits.bits)
            } else {
                try softmax.apply(scores, rows: batch * heads * tokens, columns: tokens, intoBF16: &probabilities,
                                  context: context)
            }
            var batchedOutput = [Float](repeating: .nan, count: expected.count)
            try batchedOutput.withUnsafeMutableBytes { raw in
                try batched.weightedValues(probabilities: probabilities, packedBF16: packedBits, batch: batch, tokens: tokens,
                                           into: raw.baseAddress!, outputType: .float32, context: context)
            }
            let agreement = ErrorReport(output, batchedOutput)
            XCTAssertLessThan(agreement.relativeRMS, 1e-3, "\(batch)×\(tokens) blocks vs batched: \(agreement)")
            print("head blocks (fused \(attention.usesFusedKernel)) \(batch)×\(tokens): vs float32 \(report); vs batched \(agreement)")
        }
    }
}
