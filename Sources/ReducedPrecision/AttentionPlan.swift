import CDNNL

/// What a `BF16AttentionProducts` call needs compiled.
struct AttentionPlanKey: Hashable {
    var batch: Int
    var tokens: Int
    var threadCount: Int
}

/// The compiled primitives for one `AttentionPlanKey`: four conversions of float32 operands
/// to bf16 (queries scaled on the way, as transformers scales `q_proj`'s output) and the two
/// batched matmuls over `[batch, heads]`. Immutable; see `LinearPlan` for concurrency.
///
/// Shapes (B batch, H heads, T tokens, D head size, S = 3·H·D the packed row width):
/// queries `[B,H,T,D]` and values `[B,H,T,D]` read from the packed rows with strides
/// `{T·S, D, S, 1}`, keys as `[B,H,D,T]` with strides `{T·S, D, 1, S}`; scores and
/// probabilities `[B,H,T,T]` dense; the output `[B,H,T,D]` written with strides
/// `{T·H·D, D, H·D, 1}`, i.e. `[B·T, H·D]` with the heads side by side.
final class AttentionPlan: @unchecked Sendable {
    let queryConversion, keyConversion, probabilityConversion, valueConversion: OneDNNPrimitive
    let scoresMatmul, valuesMatmul: OneDNNPrimitive
    let queries, keys, values, scores, output: dnnl_memory_desc_t
    /// bf16 operand layouts: queries, keys (as the scores matmul wants them), probabilities, values.
    let converted: [dnnl_memory_desc_t]
    let scratchpad: dnnl_memory_desc_t
    let scratchpadBytes: Int

    init(key: AttentionPlanKey, heads: Int, headDim: Int, scale: Float, engine: OneDNNEngine) throws {
        let (b, h, t, d) = (key.batch, heads, key.tokens, headDim)
        let packedWidth = 3 * h * d
        queries = try MemoryDescriptor.strided([b, h, t, d], strides: [t * packedWidth, d, packedWidth, 1], type: dnnl_f32)
        keys = try MemoryDescriptor.strided([b, h, d, t], strides: [t * packedWidth, d, 1, packedWidth], type: dnnl_f32)
        values = queries
        scores = try MemoryDescriptor.tagged([b, h, t, t], type: dnnl_f32, tag: dnnl_abcd)
        output = try MemoryDescriptor.strided([b, h, t, d], strides: [t * h * d, d, h * d, 1], type: dnnl_f32)
        let queriesBF16 = try MemoryDescriptor.tagged([b, h, t, d], type: dnnl_bf16, tag: dnnl_abcd)
        let probabilitiesBF16 = try MemoryDescriptor.tagged([b, h, t, t], type: dnnl_bf16, tag: dnnl_abcd)

        let scoresDescriptor = try PrimitiveDescriptor(
            matmulSource: queriesBF16, weights: MemoryDescriptor.tagged([b, h, d, t], type: dnnl_bf16, tag: dnnl_format_tag_any),
            bias: nil, destination: scores, attributes: PrimitiveAttributes(), engine: engine,
            operation: "creating the bf16 attention scores matmul for \(b)×\(h) heads of \(t) tokens")
        let valuesDescriptor = try PrimitiveDescriptor(
            matmulSource: probabilitiesBF16, weights: MemoryDescriptor.tagged([b, h, t, d], type: dnnl_bf16, tag: dnnl_format_tag_any),
            bias: nil, destination: output, attributes: PrimitiveAttributes(), engine: engine,
            operation: "creating the bf16 attention values matmul for \(b)×\(h) heads of \(t) tokens")
        let keysBF16 = scoresDescriptor.memoryDescriptor(dnnl_query_weights_md)
        let valuesBF16 = valuesDescriptor.memoryDescriptor(dnnl_query_weights_md)
        converted = [queriesBF16, keysBF16, probabilitiesBF16, valuesBF16]

        let scaling = try PrimitiveAttributes()
        var scaleValue = scale
        try checkDNNL(dnnl_primitive_attr_set_output_scales(scaling.handle, 1, 0, &scaleValue), "setting the query scale")
        let conversions = try [(queries, queriesBF16, scaling), (keys, keysBF16, PrimitiveAttributes()),
                               (scores, probabilitiesBF16, PrimitiveAttributes()),
                               (values, valuesBF16, PrimitiveAttributes())].map { source, target, attributes in
            try PrimitiveDescriptor(reorderFrom: source, to: target, attributes: attributes, engine: engine,
                                    operation: "describing an attention operand conversion to bf16")
        }
        let all = conversions + [scoresDescriptor, valuesDescriptor]
        let largest = all.map { $0.memoryDescriptor(dnnl_query_scratchpad_md) }.max { MemoryDescriptor.byteSize($0) < MemoryDescriptor.byteSize($1) }
        scratchpad = largest ?? dnnl_memory_desc_t()
        scratchpadBytes = MemoryDescriptor.byteSize(scratchpad)
        let primitives = try all.map { try $0.makePrimitive("creating an attention primitive") }
        (queryConversion, keyConversion, probabilityConversion, valueConversion) = (primitives[0], primitives[1], primitives[2], primitives[3])
        (scoresMatmul, valuesMatmul) = (primitives[4], primitives[5])
    }
}
