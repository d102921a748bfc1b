import CVectorKernels

/// Multi-head scaled dot-product attention over packed query/key/value projections, one head at a time.
///
/// With a vector kernel family (AVX-512 or AVX2, `KernelISA.current`) and heads up to `kernelHeadLimit` wide, each head is `clipseg_attention_head` (keys and
/// values packed into panels, 48 query rows at a time so their scores stay in cache, the division by
/// the softmax denominator fused into the P · V tile). Otherwise a pair of sgemm calls per head with a
/// fused softmax in between.
public enum ScaledDotProductAttention {
    /// The widest head the vector kernel takes (the scratch is sized for it); CLIP's heads are 64 wide.
    public static let kernelHeadLimit = 128

    /// Scratch floats `apply` needs for `tokens` tokens: one `[tokens, tokens]` score matrix and the
    /// softmax denominators of its rows, or the vector kernel's packed keys, values and block scores.
    public static func scratchCount(tokens: Int) -> Int {
        max(tokens * tokens + tokens, clipseg_attention_scratch_floats(tokens, kernelHeadLimit))
    }

    /// Attention for `batch` sequences of `tokens` tokens each.
    ///
    /// - `packed`: `[batch * tokens, 3 * hidden]` rows laid out `query | key | value`, where
    ///   `hidden = heads * headDim` and head `h` owns columns `h * headDim ..< (h + 1) * headDim`
    ///   of each part (PyTorch's `view(..., heads, headDim)` split).
    /// - `output`: `[batch * tokens, hidden]`, the heads' outputs side by side.
    /// - `scale`: multiplies `q · kᵀ` before the softmax (usually `headDim^-0.5`).
    /// - `causal`: token `i` attends to tokens `0...i` only.
    /// - `scores`: caller-owned scratch of at least `scratchCount(tokens:)` floats.
    /// - `headRange`: only these heads (default: all); their output columns are the only ones
    ///   written, so disjoint ranges can run on different threads, each with its own `scores`.
    ///
    /// The softmax is left unnormalised (`exp(s − max)`) through the `P · V` product and each output
    /// row is divided by its denominator afterwards: the same result, one pass over the scores fewer.
    public static func apply(packed: UnsafePointer<Float>, batch: Int, tokens: Int, heads: Int, headDim: Int,
                             scale: Float, causal: Bool, into output: UnsafeMutablePointer<Float>,
                             scores: UnsafeMutablePointer<Float>, headRange: Range<Int>? = nil) {
        let hidden = heads * headDim
        let packedStride = 3 * hidden
        if VectorKernels.isEnabled && headDim <= kernelHeadLimit {
            for sequence in 0..<batch {
                let rows = packed + sequence * tokens * packedStride
                for head in headRange ?? 0..<heads {
                    let column = head * headDim
                    clipseg_attention_head(rows + column, rows + hidden + column, rows + 2 * hidden + column, packedStride,
                                           tokens, headDim, scale, causal ? 1 : 0,
                                           output + sequence * tokens * hidden + column, hidden, scores)
                }
            }
            return
        }
        for sequence in 0..<batch {
            let rows = packed + sequence * tokens * packedStride
            apply(queries: rows, queryCount: tokens, queryStride: packedStride, keys: rows + hidden,
                  values: rows + 2 * hidden, keyCount: tokens, keyStride: packedStride, heads: heads, headDim: headDim,
                  scale: scale, causal: causal, into: output + sequence * tokens * hidden, outputStride: hidden,
                  scores: scores, headRange: headRange ?? 0..<heads)
        }
    }
}
