import TensorKit

/// A CLIPSeg decoder layer (`CLIPSegDecoderLayer`), post-norm:
/// `x = LN1(x + attn(x)); x = LN2(x + mlp(x))`. Its MLP always uses ReLU: transformers overrides
/// `decoder_hidden_act` with `"relu"` when it builds the decoder.
struct DecoderLayer: Sendable {
    let attention: SelfAttention
    let layerNorm1: LayerNorm
    let mlp: FeedForward
    let layerNorm2: LayerNorm

    init(tensors: CheckpointTensors, prefix: String, hidden: Int, heads: Int, intermediate: Int, epsilon: Double) throws {
        attention = try SelfAttention(tensors: tensors, prefix: "\(prefix).attention", hidden: hidden, heads: heads)
        layerNorm1 = try LayerNorm(tensors: tensors, prefix: "\(prefix).layerNorm1", epsilon: epsilon)
        mlp = try FeedForward(tensors: tensors, prefix: "\(prefix).mlp", hidden: hidden, intermediate: intermediate,
                              activation: .relu)
        layerNorm2 = try LayerNorm(tensors: tensors, prefix: "\(prefix).layerNorm2", epsilon: epsilon)
    }

    /// Updates `x` (`[batch · tokens, hidden]`) in place.
    func apply(_ x: UnsafeMutablePointer<Float>, batch: Int, tokens: Int, workspace: InferenceWorkspace) throws {
        let rows = batch * tokens
        try attention.apply(x, batch: batch, tokens: tokens, causal: false, addingInto: x, workspace: workspace)
        layerNorm1.apply(x, rows: rows, into: x, workspace: workspace)
        try mlp.apply(x, rows: rows, addingInto: x, workspace: workspace)
        layerNorm2.apply(x, rows: rows, into: x, workspace: workspace)
    }
}
