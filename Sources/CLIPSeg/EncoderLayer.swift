import ReducedPrecision
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

    private init(layerNorm1: LayerNorm, attention: SelfAttention, layerNorm2: LayerNorm, mlp: FeedForward) {
        self.layerNorm1 = layerNorm1
        self.attention = attention
        self.layerNorm2 = layerNorm2
        self.mlp = mlp
    }

    /// The same layer with its four linear layers in `format` and, where `bf16Products`, its attention
    /// products in bf16 (see `SelfAttention.converted`); layer norms and the residual stream stay float32.
    func converted(to format: ReducedPrecisionFormat, typicalRows: Int, bf16Products: Bool) throws -> EncoderLayer {
        EncoderLayer(layerNorm1: layerNorm1,
                     attention: try attention.converted(to: format, typicalRows: typicalRows, bf16Products: bf16Products),
                     layerNorm2: layerNorm2, mlp: try mlp.converted(to: format, typicalRows: typicalRows))
    }

    /// Updates the residual stream `x` (`[batch · tokens, hidden]`) in place. Where the next operation
    /// is a bf16 layer, the layer norm writes bf16 for it directly (`workspace.normalizedBF16`).
    func apply(_ x: UnsafeMutablePointer<Float>, batch: Int, tokens: Int, causal: Bool, workspace: InferenceWorkspace) throws {
        let rows = batch * tokens
        if attention.readsBF16Input && !causal {
            let normalized = workspace.normalizedBF16.reserve(rows * layerNorm1.size)
            layerNorm1.apply(x, rows: rows, intoBF16: normalized, workspace: workspace)
            try attention.apply(bf16: normalized, batch: batch, tokens: tokens, addingInto: x, workspace: workspace)
        } else {
            let normalized = workspace.normalized.reserve(rows * layerNorm1.size)
            layerNorm1.apply(x, rows: rows, into: normalized, workspace: workspace)
            try attention.apply(normalized, batch: batch, tokens: tokens, causal: causal, addingInto: x, workspace: workspace)
        }
        if mlp.readsBF16Input {
            let normalized = workspace.normalizedBF16.reserve(rows * layerNorm2.size)
            layerNorm2.apply(x, rows: rows, intoBF16: normalized, workspace: workspace)
            try mlp.apply(bf16: normalized, rows: rows, addingInto: x, workspace: workspace)
        } else {
            let normalized = workspace.normalized.reserve(rows * layerNorm2.size)
            layerNorm2.apply(x, rows: rows, into: normalized, workspace: workspace)
            try mlp.apply(normalized, rows: rows, addingInto: x, workspace: workspace)
        }
    }
}
