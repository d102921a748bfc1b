import XCTest
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

    private func check(causal: Bool) {
        let (batch, tokens, heads, headDim) = (2, 5, 3, 4)
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
                for t in 0..<tokens {
                    for d in 0..<headDim {
                        XCTAssertEqual(Double(output[(b * tokens + t) * hidden + h * headDim + d]), expected[t][d],
                                       accuracy: 1e-5, "batch \(b) head \(h) token \(t)")
                    }
                }
            }
        }
    }

    func testBidirectionalAttentionMatchesNaive() { check(causal: false) }
    func testCausalAttentionMatchesNaive() { check(causal: true) }
}
