import ReducedPrecision

/// Multi-head attention's middle for reduced-precision models, all heads of all sequences at once:
/// `scores = scale · Q Kᵀ` in bf16 (float32 sums), a float32 row softmax (oneDNN), then `P V` in bf16.
/// Reads the packed `[batch · tokens, 3 · hidden]` projections (`query | key | value`) and writes the
/// heads' outputs side by side, `[batch · tokens, hidden]`. The `[batch, heads, tokens, tokens]` scores
/// live in the workspace's `scores` buffer. No causal mask (the vision tower only).
///
/// Immutable and shareable (oneDNN primitives are cached inside, per shape and thread count).
struct ReducedAttentionProducts: Sendable {
    let products: BF16AttentionProducts
    let softmax: OneDNNSoftmax

    init(heads: Int, headDim: Int, scale: Float) throws {
        products = try BF16AttentionProducts(heads: heads, headDim: headDim, scale: scale)
        softmax = try OneDNNSoftmax()
    }

    func apply(packed: UnsafePointer<Float>, batch: Int, tokens: Int, into output: UnsafeMutablePointer<Float>,
               workspace: InferenceWorkspace) throws {
        let context = try workspace.reducedPrecisionContext()
        let scores = workspace.scores.reserve(products.scoreCount(batch: batch, tokens: tokens))
        try products.scores(packed: packed, batch: batch, tokens: tokens, into: scores, context: context)
        try softmax.apply(scores, rows: batch * products.heads * tokens, columns: tokens, context: context)
        try products.weightedValues(probabilities: scores, packed: packed, batch: batch, tokens: tokens, into: output,
                                    context: context)
    }
}
