/// Multi-head scaled dot-product attention over packed query/key/value projections, one pair of
/// sgemm calls per (sequence, head) and a fused softmax in between.
public enum ScaledDotProductAttention {
    /// Scratch floats `apply` needs for `tokens` tokens (one `[tokens, tokens]` score matrix).
    public static func scratchCount(tokens: Int) -> Int { tokens * tokens }

    /// Attention for `batch` sequences of `tokens` tokens each.
    ///
    /// - `packed`: `[batch * tokens, 3 * hidden]` rows laid out `query | key | value`, where
    ///   `hidden = heads * headDim` and head `h` owns columns `h * headDim ..< (h + 1) * headDim`
    ///   of each part (PyTorch's `view(..., heads, headDim)` split).
    /// - `output`: `[batch * tokens, hidden]`, the heads' outputs side by side.
    /// - `scale`: multiplies `q · kᵀ` before the softmax (usually `headDim^-0.5`).
    /// - `causal`: token `i` attends to tokens `0...i` only.
    /// - `scores`: caller-owned scratch of at least `scratchCount(tokens:)` floats.
    public static func apply(packed: UnsafePointer<Float>, batch: Int, tokens: Int, heads: Int, headDim: Int,
                             scale: Float, causal: Bool, into output: UnsafeMutablePointer<Float>,
                             scores: UnsafeMutablePointer<Float>) {
        let hidden = heads * headDim
        let packedStride = 3 * hidden
        for sequence in 0..<batch {
            let rows = packed + sequence * tokens * packedStride
            let out = output + sequence * tokens * hidden
            for head in 0..<heads {
                let query = rows + head * headDim
                let key = rows + hidden + head * headDim
                let value = rows + 2 * hidden + head * headDim
                // scores[tokens, tokens] = scale · Q Kᵀ
                MatrixMultiply.gemm(query, key, into: scores, m: tokens, n: tokens, k: headDim,
                                    transposeB: true, lda: packedStride, ldb: packedStride, ldc: tokens,
                                    alpha: scale)
                Softmax.apply(scores, rows: tokens, columns: tokens, causal: causal)
                // out[tokens, headDim] = P V
                MatrixMultiply.gemm(scores, value, into: out + head * headDim, m: tokens, n: headDim, k: tokens,
                                    lda: tokens, ldb: packedStride, ldc: hidden)
            }
        }
    }
}
