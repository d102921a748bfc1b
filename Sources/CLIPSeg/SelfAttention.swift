import ReducedPrecision
import TensorKit

/// CLIP multi-head self-attention (`CLIPSegAttention`): query, key and value projections fused
/// into one `[hidden, 3 · hidden]` GEMM, per-head attention with BLAS (or in bf16 through oneDNN for
/// reduced-precision vision layers, see `reducedProducts`), then the output projection.
struct SelfAttention: Sendable {
    /// Fused `q_proj | k_proj | v_proj`.
    let projection: LinearProjection
    /// `out_proj`.
    let output: LinearProjection
    let heads: Int
    let headDim: Int
    /// `headDim^-0.5`, as transformers computes it (in double, applied in float).
    let scale: Float
    /// With reduced-precision projections on an AVX-512 CPU: the attention in bf16 by head and block of
    /// query rows (`ReducedAttentionProducts`), reading the projection's bf16 output, whose query part
    /// is then already scaled; non-causal attention only. nil: float32 per head (`scale` applied there).
    let reducedProducts: ReducedAttentionProducts?

    init(tensors: CheckpointTensors, prefix: String, hidden: Int, heads: Int) throws {
        func linear(_ part: String) throws -> DenseLayer {
            DenseLayer(pytorchWeight: try tensors.take("\(prefix).\(part).weight"),
                       bias: try tensors.take("\(prefix).\(part).bias"), inputSize: hidden, outputSize: hidden)
        }
        projection = .float32(DenseLayer(concatenatingOutputsOf: [try linear("query"), try linear("key"), try linear("value")]))
        output = .float32(try linear("output"))
        self.heads = heads
        headDim = hidden / heads
        scale = Float(Double(headDim).squareRoot().reciprocal)
        reducedProducts = nil
    }

    private init(projection: LinearProjection, output: LinearProjection, heads: Int, headDim: Int, scale: Float,
                 reducedProducts: ReducedAttentionProducts?) {
        self.projection = projection
        self.output = output
        self.heads = heads
        self.headDim = headDim
        self.scale = scale
        self.reducedProducts = reducedProducts
    }

    /// The same attention with its projections in `format`, and its two products in bf16 where the CPU
    /// has AVX-512 (`ReducedAttentionProducts`); otherwise the products stay float32.
    /// `bf16Products`: whether this CPU runs bf16 matmuls (`ReducedPrecisionFormat.bf16.isAvailable`).
    func converted(to format: ReducedPrecisionFormat, typicalRows: Int, bf16Products: Bool) throws -> SelfAttention {
        // With bf16 products the projection itself scales the queries (in float32, before rounding them
        // to bf16, as transformers scales q_proj's output), so the products multiply by 1.
        let hidden = heads * headDim
        let queryScales = bf16Products ? [Float](repeating: scale, count: hidden) + [Float](repeating: 1, count: 2 * hidden)
                                       : nil
        return SelfAttention(projection: try projection.converted(to: format, typicalRows: typicalRows,
                                                                  columnScales: queryScales),
                             output: try output.converted(to: format, typicalRows: typicalRows),
                             heads: heads, headDim: headDim, scale: scale,
                             reducedProducts: bf16Products
                                 ? try ReducedAttentionProducts(heads: heads, headDim: headDim, scale: 1) : nil)
    }

    /// Attends over `batch` sequences of `tokens` rows of `input` (`[batch · tokens, hidden]`) and
    /// ADDS the projected result to `residual` (same shape). Projections split by output columns and
    /// attention by heads over the workspace's threads.
    func apply(_ input: UnsafePointer<Float>, batch: Int, tokens: Int, causal: Bool,
               addingInto residual: UnsafeMutablePointer<Float>, workspace: InferenceWorkspace) throws {
        let rows = batch * tokens, hidden = heads * headDim
        if let reducedProducts {
            // Its projection scales the queries already: the float32 path below would scale them twice.
            precondition(!causal, "bf16 attention has no causal mask (the vision tower only)")
            try applyReduced(reducedProducts, .float32(input), batch: batch, tokens: tokens, addingInto: residual,
                             workspace: workspace)
            return
        }
        let packed = workspace.packed.reserve(rows * 3 * hidden)
        try projection.apply(input, rows: rows, into: packed, workspace: workspace)
        let attended = workspace.attended.reserve(rows * hidden)
        let chunks = min(workspace.attentionChunks, heads)
        let slot = ScaledDotProductAttention.scratchCount(tokens: tokens)
        let scores = workspace.scores.reserve(chunks * slot)
        ParallelLoop.run(chunks: chunks, threads: workspace.threads) { chunk in
            ScaledDotProductAttention.apply(packed: packed, batch: batch, tokens: tokens, heads: heads, headDim: headDim,
                                            scale: scale, causal: causal, into: attended, scores: scores + chunk * slot,
                                            headRange: ParallelLoop.piece(chunk, of: chunks, 0..<heads))
        }
        try output.apply(attended, rows: rows, into: residual, accumulate: true, workspace: workspace)
    }
}

extension SelfAttention {
    /// Whether `apply(bf16:…)` may be used: bf16 attention products and a bf16 projection.
    var readsBF16Input: Bool { reducedProducts != nil && projection.readsBF16 }

    /// `apply` (non-causal) from bf16 input rows `[batch · tokens, hidden]`; only where `readsBF16Input`.
    func apply(bf16 input: UnsafePointer<UInt16>, batch: Int, tokens: Int,
               addingInto residual: UnsafeMutablePointer<Float>, workspace: InferenceWorkspace) throws {
        guard let reducedProducts, projection.readsBF16 else { preconditionFailure("this attention reads float32") }
        try applyReduced(reducedProducts, .bf16(input), batch: batch, tokens: tokens, addingInto: residual,
                         workspace: workspace)
    }

    /// `apply` with `ReducedAttentionProducts`: the projection writes bf16 rows the products read in
    /// place; the heads' outputs are bf16 when `out_proj` reads bf16 (a bf16 layer), else float32.
    private func applyReduced(_ products: ReducedAttentionProducts, _ input: LinearInput, batch: Int,
                              tokens: Int, addingInto residual: UnsafeMutablePointer<Float>,
                              workspace: InferenceWorkspace) throws {
        let rows = batch * tokens, hidden = heads * headDim
        let packed = workspace.packedBF16.reserve(rows * 3 * hidden)
        try projection.apply(input, rows: rows, into: .bf16(packed), workspace: workspace)
        if output.readsBF16 {
            let attended = workspace.attendedBF16.reserve(rows * hidden)
            try products.apply(packedBF16: packed, batch: batch, tokens: tokens, into: UnsafeMutableRawPointer(attended),
                               outputType: .bf16, workspace: workspace)
            try output.apply(.bf16(attended), rows: rows, into: .float32(residual), accumulate: true, workspace: workspace)
        } else {
            let attended = workspace.attended.reserve(rows * hidden)
            try products.apply(packedBF16: packed, batch: batch, tokens: tokens, into: UnsafeMutableRawPointer(attended),
                               outputType: .float32, workspace: workspace)
            try output.apply(attended, rows: rows, into: residual, accumulate: true, workspace: workspace)
        }
    }
}

private extension Double {
    var reciprocal: Double { 1 / self }
}
