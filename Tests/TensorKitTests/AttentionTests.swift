import XCTest
import TestSupport
@testable import TensorKit

final class AttentionTests: XCTestCase {
    /// Naive attention for one sequence and head, in Double.
    private func reference(packed: [Float], sequence: Int, tokens: Int, heads: Int, headDim: Int,
                           head: Int, causal: Bool) -> [[Double]] {
        let hidden = heads * headDim
        func part(_ t: Int, _ which: Int, _ d: Int) -> Double {
            Double(packed[(sequence * tokens + t) * 3 * hidden + which * hidden + head * headDim + d])
        }
        let scale = 1 / Double(headDim).squareRoot()
        return (0..<tokens).map { i in
            let visible = causal ? i + 1 : tokens
            let scores = (0..<visible).map { j in (0..<headDim).reduce(0.0) { $0 + part(i, 0, $1) * part(j, 1, $1) } * scale }
            let p = NaiveReference.softmax(scores)
            return (0..<headDim).map { d in (0..<visible).reduce(0.0) { $0 + p[$1] * part($1, 2, d) } }
        }
    }

    private func check(causal: Bool, batch: Int = 2, tokens: Int = 5, heads: Int = 3, headDim: Int = 4,
                       file: StaticString = #filePath, line: UInt = #line) {
        let hidden = heads * headDim
        let packed = NaiveReference.values(batch * tokens * 3 * hidden, seed: causal ? 30 : 31).map { $0 * 2 }
        var output = [Float](repeating: .nan, count: batch * tokens * hidden)
        var scratch = [Float](repeating: 0, count: ScaledDotProductAttention.scratchCount(tokens: tokens))
        packed.withUnsafeBufferPointer { p in output.withUnsafeMutableBufferPointer { o in scratch.withUnsafeMutableBufferPointer { s in
            ScaledDotProductAttention.apply(packed: p.baseAddress!, batch: batch, tokens: tokens, heads: heads,
                                            headDim: headDim, scale: 1 / Float(headDim).squareRoot(), causal: causal,
                                            into: o.baseAddress!, scores: s.baseAddress!)
        } } }
        for b in 0..<batch {
            for h in 0..<heads {
                let expected = reference(packed: packed, sequence: b, tokens: tokens, heads: heads, headDim: headDim,
                                         head: h, causal: causal)
                var worst = 0.0
                for t in 0..<tokens {
                    for d in 0..<headDim {
                        worst = maxKeepingNaN(worst, abs(Double(output[(b * tokens + t) * hidden + h * headDim + d]) - expected[t][d]))
                    }
                }
                XCTAssertLessThanOrEqual(worst, 1e-5, "batch \(b) head \(h) of \(tokens) tokens × \(headDim), causal \(causal)",
                                         file: file, line: line)
            }
        }
    }

    func testBidirectionalAttentionMatchesNaive() { check(causal: false) }
    func testCausalAttentionMatchesNaive() { check(causal: true) }

    /// Sizes around the AVX-512 kernel's edges: 48-row query blocks and 48-token key panels, 8-row score
    /// tiles and 8-row value tiles, 32-wide value panels (heads of 16, 64 and 70), one token, and
    /// three blocks and a partial one (145 tokens). Without AVX-512 this checks the BLAS path on the same sizes.
    func testKernelEdgesMatchNaive() {
        for (tokens, headDim) in [(1, 64), (7, 16), (47, 64), (48, 70), (49, 32), (97, 64), (145, 64)] {
            for causal in [false, true] {
                check(causal: causal, batch: 1, tokens: tokens, heads: 2, headDim: headDim)
            }
        }
    }

    /// Heads wider than the kernel takes fall back to the BLAS path within the same scratch.
    func testHeadsWiderThanTheKernelLimit() {
        check(causal: false, batch: 1, tokens: 20, heads: 1, headDim: ScaledDotProductAttention.kernelHeadLimit + 16)
    }
}
