import Foundation
import XCTest
@testable import TensorKit

/// `ParallelLoop` and the partial computations threads split a layer into: column ranges of a dense
/// layer and head ranges of attention must reassemble the whole result exactly.
final class ParallelPiecesTests: XCTestCase {
    func testPiecesCoverTheRangeInOrderWithoutOverlap() {
        for (range, parts, granule) in [(0..<485, 2, 1), (0..<2304, 4, 16), (3..<10, 4, 1), (0..<3, 4, 1), (0..<768, 3, 16),
                                         (0..<100, 2, 16)] {
            let pieces = (0..<parts).map { ParallelLoop.piece($0, of: parts, range, granule: granule) }
            XCTAssertEqual(pieces.first?.lowerBound, range.lowerBound)
            XCTAssertEqual(pieces.last?.upperBound, range.upperBound)
            for (a, b) in zip(pieces, pieces.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound, "\(pieces)") }
            for piece in pieces.dropLast() {
                XCTAssertEqual((piece.lowerBound - range.lowerBound) % granule, 0, "\(pieces)")
            }
            let sizes = pieces.map(\.count)
            XCTAssertLessThan((sizes.max() ?? 0) - (sizes.min() ?? 0), 2 * granule, "near-equal: \(pieces)")
        }
    }

    func testRunCallsEveryChunkExactlyOnceOnAnyThreadCount() {
        for threads in [1, 2, 4] {
            let chunks = 37
            var hits = [Int](repeating: 0, count: chunks)
            hits.withUnsafeMutableBufferPointer { counts in
                let base = counts.baseAddress!
                ParallelLoop.run(chunks: chunks, threads: threads) { chunk in base[chunk] += 1 }
            }
            XCTAssertEqual(hits, [Int](repeating: 1, count: chunks), "threads \(threads)")
        }
    }

    func testDenseColumnRangesReassembleTheWholeLayer() {
        let (rows, inputs, outputs) = (7, 24, 150)
        let x = NaiveReference.values(rows * inputs, seed: 50)
        let layer = DenseLayer(pytorchWeight: NaiveReference.values(outputs * inputs, seed: 51),
                               bias: NaiveReference.values(outputs, seed: 52), inputSize: inputs, outputSize: outputs)
        let residual = NaiveReference.values(rows * outputs, seed: 53)
        for (activation, accumulate) in [(Activation.quickGELU, false), (.identity, true)] {
            var whole = residual, pieced = residual
            x.withUnsafeBufferPointer { px in
                whole.withUnsafeMutableBufferPointer {
                    layer.apply(px.baseAddress!, rows: rows, into: $0.baseAddress!, activation: activation, accumulate: accumulate)
                }
                pieced.withUnsafeMutableBufferPointer { out in
                    let base = out.baseAddress!
                    ParallelLoop.run(chunks: 3, threads: 2) { chunk in
                        layer.apply(px.baseAddress!, rows: rows, into: base,
                                    columns: ParallelLoop.piece(chunk, of: 3, 0..<outputs, granule: layer.columnGranule),
                                    activation: activation, accumulate: accumulate)
                    }
                }
            }
            XCTAssertLessThanOrEqual(NaiveReference.maxDifference(pieced, whole), 1e-6, "\(activation) accumulate \(accumulate)")
        }
    }

    func testAttentionHeadRangesReassembleAllHeads() {
        for causal in [false, true] {
            let (batch, tokens, heads, headDim) = (2, 19, 5, 8)
            let hidden = heads * headDim
            let packed = NaiveReference.values(batch * tokens * 3 * hidden, seed: 60).map { $0 * 3 }
            let slot = ScaledDotProductAttention.scratchCount(tokens: tokens)
            var whole = [Float](repeating: .nan, count: batch * tokens * hidden), pieced = whole
            var scratch = [Float](repeating: 0, count: 3 * slot)
            packed.withUnsafeBufferPointer { p in scratch.withUnsafeMutableBufferPointer { s in
                let scores = s.baseAddress!
                whole.withUnsafeMutableBufferPointer {
                    ScaledDotProductAttention.apply(packed: p.baseAddress!, batch: batch, tokens: tokens, heads: heads,
                                                    headDim: headDim, scale: 0.35, causal: causal, into: $0.baseAddress!,
                                                    scores: scores)
                }
                pieced.withUnsafeMutableBufferPointer { out in
                    let base = out.baseAddress!
                    ParallelLoop.run(chunks: 3, threads: 2) { chunk in
                        ScaledDotProductAttention.apply(packed: p.baseAddress!, batch: batch, tokens: tokens, heads: heads,
                                                        headDim: headDim, scale: 0.35, causal: causal, into: base,
                                                        scores: scores + chunk * slot,
                                                        headRange: ParallelLoop.piece(chunk, of: 3, 0..<heads))
                    }
                }
            } }
            XCTAssertFalse(pieced.contains { $0.isNaN }, "every head written")
            XCTAssertEqual(pieced, whole, "causal \(causal)")
        }
    }
}
