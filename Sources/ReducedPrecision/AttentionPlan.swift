import CDNNL

/// What a `BF16AttentionProducts` call needs compiled.
struct AttentionPlanKey: Hashable {
    var batch: Int
    var tokens: Int
    var threadCount: Int
    /// What `P V` writes: float32, or bf16 for a bf16 output projection to read.
    var output: ActivationType
}

/// The compiled primitives for one `AttentionPlanKey`, all on bf16 operands read in place from
/// a packed bf16 projection: the scores matmul (`scale` applied to its float32 sums as an output
/// scale), a copy of the values into the dense layout the values matmul reads fastest, and the
/// values matmul. Immutable; see `LinearPlan` for concurrency.
///
/// Shapes (B batch, H heads, T tokens, D head size, S = 3·H·D the packed row width):
/// queries `[B,H,T,D]` and values `[B,H,T,D]` read from the packed rows with strides
/// `{T·S, D, S, 1}`, keys as `[B,H,D,T]` with strides `{T·S, D, 1, S}`; scores `[B,H,T,T]`
/// float32 dense, probabilities the same in bf16; the output `[B,H,T,D]` written with strides
/// `{T·H·D, D, H·D, 1}`, i.e. `[B·T, H·D]` with the heads side by side.
final class AttentionPlan: @unchecked Sendable {
    let scoresMatmul, valueCopy, valuesMatmul: OneDNNPrimitive
    let queries, keys, values, scores, probabilities, output: dnnl_memory_desc_t
    /// The values as the values matmul reads them (bf16, dense).
    let denseValues: dnnl_memory_desc_t
    let scratchpad: dnnl_memory_desc_t
    let scratchpadBytes: Int

    init(key: AttentionPlanKey, heads: Int, headDim: Int, scale: Float, engine: OneDNNEngine) throws {
        let (b, h, t, d) = (key.batch, heads, key.tokens, headDim)
        let packedWidth = 3 * h * d
        queries = try MemoryDescriptor.strided([b, h, t, d], strides: [t * packedWidth, d, packedWidth, 1], type: dnnl_bf16)
        keys = try MemoryDescriptor.strided([b, h, d, t], strides: [t * packedWidth, d, 1, packedWidth], type: dnnl_bf16)
        values = queries
        scores = try MemoryDescriptor.tagged([b, h, t, t], type: dnnl_f32, tag: dnnl_abcd)
        probabilities = try MemoryDescriptor.tagged([b, h, t, t], type: dnnl_bf16, tag: dnnl_abcd)
        output = try MemoryDescriptor.strided([b, h, t, d], strides: [t * h * d, d, h * d, 1], type: key.output.dnnlType)

        let scaling = try PrimitiveAttributes()
        var scaleValue = scale
        try checkDNNL(dnnl_primitive_attr_set_output_scales(scaling.handle, 1, 0, &scaleValue), "setting the score scale")
        let scoresDescriptor = try PrimitiveDescriptor(
            matmulSource: queries, weights: keys, bias: nil, destination: scores, attributes: scaling, engine: engine,
            operation: "creating the bf16 attention scores matmul for \(b)×\(h) heads of \(t) tokens")
        let valuesDescriptor = try PrimitiveDescriptor(
            matmulSource: probabilities, weights: MemoryDescriptor.tagged([b, h, t, d], type: dnnl_bf16, tag: dnnl_format_tag_any),
            bias: nil, destination: output, attributes: PrimitiveAttributes(), engine: engine,
            operation: "creating the bf16 attention values matmul for \(b)×\(h) heads of \(t) tokens")
        denseValues = valuesDescriptor.memoryDescriptor(dnnl_query_weights_md)
        let copyDescriptor = try PrimitiveDescriptor(reorderFrom: values, to: denseValues, attributes: nil, engine: engine,
                                                     operation: "describing the attention values copy")
        let all = [scoresDescriptor, copyDescriptor, valuesDescriptor]
        let largest = all.map { $0.memoryDescriptor(dnnl_query_scratchpad_md) }
            .max { MemoryDescriptor.byteSize($0) < MemoryDescriptor.byteSize($1) }
        scratchpad = largest ?? dnnl_memory_desc_t()
        scratchpadBytes = MemoryDescriptor.byteSize(scratchpad)
        let primitives = try all.map { try $0.makePrimitive("creating an attention primitive") }
        (scoresMatmul, valueCopy, valuesMatmul) = (primitives[0], primitives[1], primitives[2])
    }
}
