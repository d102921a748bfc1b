import TensorKit

/// A CLIP encoder layer (`CLIPSegEncoderLayer`), pre-norm:
/// `x += attn(LN1(x)); x += mlp(LN2(x))`. Shared by the text (causal) and vision towers.
struct EncoderLayer: Sendable {
    let layerNorm1: LayerNorm
    let attention: SelfAttention
    let layerNorm2: LayerNorm
    let mlp: FeedForward

    init(tensors: CheckpointTensors, prefix: String, hidden: Int, heads: Int, intermediate: Int,
         activation: Activation, epsilon: Double) throws {
        layerNorm1 = try LayerNorm(tensors: tensors, prefix: "\(prefix).layerNorm1", epsilon: epsilon)
        attention = try SelfAttention(tensors: tensors, prefix: "\(prefix).attention", hidden: hidden, heads: heads)
        layerNorm2 = try LayerNorm(tensors: tensors, prefix: "\(prefix).layerNorm2", epsilon: epsilon)
        mlp = try FeedForward(tensors: tensors, prefix: "\(prefix).mlp", hidden: hidden, intermediate: intermediate,
                              activation: activation)
    }

    /// Updates the residual stream `x` (`[batch · tokens, hidden]`) in place.
    func apply(_ x: UnsafeMutablePointer<Float>, batch: Int, tokens: Int, causal: Bool, workspace: InferenceWorkspace) {
        let rows = batch * tokens
        let normalized = workspace.normalized.reserve(rows * layerNorm1.size)
        layerNorm1.apply(x, rows: rows, into: normalized, workspace: workspace)
        attention.apply(normalized, batch: batch, tokens: tokens, causal: causal, addingInto: x, workspace: workspace)
        layerNorm2.apply(x, rows: rows, into: normalized, workspace: workspace)
        mlp.apply(normalized, rows: rows, addingInto: x, workspace: workspace)
    }
}
