import CVectorKernels

/// Attention of query rows against the keys and values of one sequence with two sgemm calls per head: the
/// BLAS path of `apply(packed:…)` (all of a sequence's rows), and token reuse, where only the tokens that
/// changed are recomputed and attend to all tokens' cached keys and values (`CLIPSeg.TokenReuse`).
extension ScaledDotProductAttention {
    /// Scratch floats `apply(queries:…)` needs: one `[queryCount, keyCount]` score block and the
    /// softmax denominators of its rows.
    public static func scratchCount(queryCount: Int, keyCount: Int) -> Int {
        queryCount * keyCount + queryCount
    }

    /// `output[i] = Σ_t softmax_t(scale · q_i · k_t) v_t` per head, for `queryCount` query rows against
    /// `keyCount` key/value rows; with `causal` (queries and keys the same tokens) row `i` attends to keys
    /// `0...i` only.
    ///
    /// - `queries`: the first query row (head 0's first column); rows `queryStride` floats apart, head
    ///   `h` owning columns `h · headDim ..< (h + 1) · headDim` (PyTorch's `view(…, heads, headDim)`).
    /// - `keys`, `values`: the same layout, rows `keyStride` floats apart (both from one buffer of
    ///   `key | value` rows, or from a packed `query | key | value` projection).
    /// - `output`: `[queryCount, heads · headDim]` rows `outputStride` floats apart; only the columns of
    ///   `headRange` are written, so disjoint ranges can run on different threads, each with its own `scores`.
    /// - `scores`: caller-owned scratch of at least `scratchCount(queryCount:keyCount:)` floats.
    ///
    /// Two sgemm calls per head with the softmax in between (left unnormalised through `P · V`, each
    /// output row divided by its denominator afterwards), as the BLAS path of `apply(packed:…)`.
    public static func apply(queries: UnsafePointer<Float>, queryCount: Int, queryStride: Int,
                             keys: UnsafePointer<Float>, values: UnsafePointer<Float>, keyCount: Int, keyStride: Int,
                             heads: Int, headDim: Int, scale: Float, causal: Bool = false,
                             into output: UnsafeMutablePointer<Float>, outputStride: Int,
                             scores: UnsafeMutablePointer<Float>, headRange: Range<Int>) {
        guard queryCount > 0, keyCount > 0 else { return }
        let denominators = scores + queryCount * keyCount
        for head in headRange {
            let column = head * headDim
            // scores[queryCount, keyCount] = scale · Q Kᵀ
            MatrixMultiply.gemm(queries + column, keys + column, into: scores, m: queryCount, n: keyCount, k: headDim,
                                transposeB: true, lda: queryStride, ldb: keyStride, ldc: keyCount, alpha: scale)
            for row in 0..<queryCount {
                let line = scores + row * keyCount
                let valid = causal ? min(row + 1, keyCount) : keyCount
                denominators[row] = Softmax.exponentiate(line, count: valid)
                if valid < keyCount { (line + valid).update(repeating: 0, count: keyCount - valid) }
            }
            // out[queryCount, headDim] = exp(S − max) V, then each row / its denominator
            let headOut = output + column
            MatrixMultiply.gemm(scores, values + column, into: headOut, m: queryCount, n: headDim, k: keyCount,
                                lda: keyCount, ldb: keyStride, ldc: outputStride)
            if VectorKernels.isEnabled {
                clipseg_vk_divide_rows(headOut, denominators, queryCount, headDim, outputStride)
            } else {
                for row in 0..<queryCount {
                    let line = headOut + row * outputStride, inverse = 1 / denominators[row]
                    for j in 0..<headDim { line[j] *= inverse }
                }
            }
        }
    }
}
