import ReducedPrecision

/// Multi-head attention's middle for reduced-precision models, all heads of all sequences at once:
/// `scores = scale · Q Kᵀ` in bf16 (float32 sums), a row softmax (oneDNN, float32 in, bf16
/// probabilities out), then `P V` in bf16. Reads the packed bf16 `[batch · tokens, 3 · hidden]`
/// projections (`query | key | value`, as a reduced `LinearProjection` writes them with
/// `apply(_:rows:into:)` with a `.bf16` output) in place and writes the heads' outputs side by side,
/// `[batch · tokens, hidden]`, float32 or bf16. The float32 `[batch, heads, tokens, tokens]` scores
/// live in the workspace's `scores` buffer, their bf16 softmax in `probabilitiesBF16`. No causal
/// mask (the vision tower only).
///
/// Immutable and shareable (oneDNN primitives are cached inside, per shape and thread count).
struct ReducedAttentionProducts: Sendable {
    let products: BF16AttentionProducts
    let softmax: OneDNNSoftmax

    init(heads: Int, headDim: Int, scale: Float) throws {
        products = try BF16AttentionProducts(heads: heads, headDim: headDim, scale: scale)
        softmax = try OneDNNSoftmax()
    }

    /// `output` holds `[batch · tokens, hidden]` elements of `outputType`.
    func apply(packedBF16 packed: UnsafePointer<UInt16>, batch: Int, tokens: Int, into output: UnsafeMutableRawPointer,
               outputType: ActivationType, workspace: InferenceWorkspace) throws {
        let context = try workspace.reducedPrecisionContext()
        let count = products.scoreCount(batch: batch, tokens: tokens)
        let scores = workspace.scores.reserve(count)
        let probabilities = workspace.probabilitiesBF16.reserve(count)
        try products.scores(packedBF16: packed, batch: batch, tokens: tokens, into: scores, context: context)
        try softmax.apply(scores, rows: batch * products.heads * tokens, columns: tokens, intoBF16: probabilities,
                          context: context)
        try products.weightedValues(probabilities: probabilities, packedBF16: packed, batch: batch, tokens: tokens,
                                    into: output, outputType: outputType, context: context)
    }
}
