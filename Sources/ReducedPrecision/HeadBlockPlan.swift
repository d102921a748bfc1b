import CDNNL

/// The compiled primitives of one `HeadBlockAttention` block shape: the scores matmul (the score
/// scale as an output scale), the softmax (float32 in, bf16 out) and the values matmul. Immutable;
/// see `LinearPlan` for concurrency.
///
/// Shapes (R block rows, T tokens, D head size, H heads, S = 3·H·D the packed row width), all 2-D
/// views of the caller's buffers: queries `[R, D]` row stride S, keys `[D, T]` strides `{1, S}`,
/// values `[T, D]` row stride S (bf16, in the packed rows); scores `[R, T]` float32 and
/// probabilities `[R, T]` bf16, dense; output `[R, D]` row stride `H·D` (float32 or bf16).
final class HeadBlockPlan: @unchecked Sendable {
    let scoresMatmul, softmax, valuesMatmul: OneDNNPrimitive
    let queries, keys, values, scores, probabilities, output: dnnl_memory_desc_t
    let scratchpad: dnnl_memory_desc_t
    let scratchpadBytes: Int

    init(rows: Int, tokens: Int, heads: Int, headDim: Int, scale: Float, output outputType: ActivationType,
         engine: OneDNNEngine) throws {
        let packedWidth = 3 * heads * headDim
        queries = try MemoryDescriptor.rowMajor(rows: rows, columns: headDim, type: dnnl_bf16, rowStride: packedWidth)
        keys = try MemoryDescriptor.strided([headDim, tokens], strides: [1, packedWidth], type: dnnl_bf16)
        values = try MemoryDescriptor.rowMajor(rows: tokens, columns: headDim, type: dnnl_bf16, rowStride: packedWidth)
        scores = try MemoryDescriptor.rowMajor(rows: rows, columns: tokens, type: dnnl_f32)
        probabilities = try MemoryDescriptor.rowMajor(rows: rows, columns: tokens, type: dnnl_bf16)
        output = try MemoryDescriptor.rowMajor(rows: rows, columns: headDim, type: outputType.dnnlType,
                                               rowStride: heads * headDim)
        let operation = "creating the bf16 attention of \(rows) query rows over \(tokens) tokens"

        let scaling = try PrimitiveAttributes()
        var scaleValue = scale
        if scale != 1 {  // no output scale at all when there is nothing to scale
            try checkDNNL(dnnl_primitive_attr_set_output_scales(scaling.handle, 1, 0, &scaleValue), "setting the score scale")
        }
        let scoresDescriptor = try PrimitiveDescriptor(matmulSource: queries, weights: keys, bias: nil, destination: scores,
                                                       attributes: scaling, engine: engine, operation: operation)
        var description = dnnl_softmax_v2_desc_t()
        var from = scores, to = probabilities
        try checkDNNL(dnnl_softmax_v2_forward_desc_init(&description, dnnl_forward_inference, dnnl_softmax_accurate,
                                                        &from, &to, 1), operation)
        var softmaxHandle: dnnl_primitive_desc_t?
        let softmaxAttributes = try PrimitiveAttributes()
        try withExtendedLifetime(softmaxAttributes) {
            try checkDNNL(dnnl_primitive_desc_create(&softmaxHandle, &description, softmaxAttributes.handle,
                                                     engine.handle, nil), operation)
        }
        guard let softmaxHandle else { throw OneDNNError(operation: operation, status: "no primitive descriptor") }
        let softmaxDescriptor = PrimitiveDescriptor(handle: softmaxHandle)
        let valuesDescriptor = try PrimitiveDescriptor(matmulSource: probabilities, weights: values, bias: nil,
                                                       destination: output, attributes: PrimitiveAttributes(),
                                                       engine: engine, operation: operation)
        let all = [scoresDescriptor, softmaxDescriptor, valuesDescriptor]
        let largest = all.map { $0.memoryDescriptor(dnnl_query_scratchpad_md) }
            .max { MemoryDescriptor.byteSize($0) < MemoryDescriptor.byteSize($1) }
        scratchpad = largest ?? dnnl_memory_desc_t()
        scratchpadBytes = MemoryDescriptor.byteSize(scratchpad)
        let primitives = try all.map { try $0.makePrimitive(operation) }
        (scoresMatmul, softmax, valuesMatmul) = (primitives[0], primitives[1], primitives[2])
    }
}
