import CDNNL
import TensorKit

/// How a `PackedLinearLayer` asks oneDNN for its matmul: types, bias, scales and post-ops, for
/// any row count. Shared by weight packing (which needs the layout oneDNN prefers) and by the
/// per-shape plans.
///
/// - bf16: `dst = post(c · (src_bf16 · W_bf16 + bias))`, bias float32 inside the primitive, `c` the
///   optional per-column output scales (oneDNN applies output scales after the in-primitive bias).
/// - int8: `dst = post(s_x · (s_w[n] · (src_u8 - z_x) · W_s8) + bias)`: per-channel `s_w` as
///   constant output scales (oneDNN 2.6 picks its VNNI brgemm kernel only for constant scales),
///   the per-call `s_x` as a binary-multiply post-op reading a runtime scalar, the bias as a
///   binary-add post-op (oneDNN would apply output scales to an in-primitive bias), `z_x` as a
///   runtime source zero point.
/// `post` is the optional eltwise activation, then the optional "sum" (accumulate into dst).
/// The destination is float32 or bf16 (rounded once, after the post-ops).
struct LinearMatmulRecipe {
    let inputSize: Int
    let outputSize: Int
    let format: ReducedPrecisionFormat
    let hasBias: Bool
    /// int8 only: `[outputSize]` weight dequantization scales (with any column scales folded in).
    let weightScales: [Float]
    /// bf16 only: `[outputSize]` scales of the output columns, or empty for none.
    var columnScales: [Float] = []

    /// The matmul's source type: bf16, or u8 (asymmetric, zero point) for int8.
    var sourceType: dnnl_data_type_t { format == .bf16 ? dnnl_bf16 : dnnl_u8 }
    /// The packed weights' type.
    var weightType: dnnl_data_type_t { format == .bf16 ? dnnl_bf16 : dnnl_s8 }

    /// Index of the int8 post-op that multiplies by the activation scale (its runtime operand).
    static let activationScalePostOp: Int32 = 0
    /// Index of the int8 post-op that adds the bias (its runtime operand).
    static let biasPostOp: Int32 = 1

    /// `[1, 1]` float32: the runtime activation scale operand.
    static func scalarDescriptor() throws -> dnnl_memory_desc_t {
        try MemoryDescriptor.tagged([1, 1], type: dnnl_f32, tag: dnnl_ab)
    }

    /// `[1, outputSize]` float32: the bias.
    func biasDescriptor() throws -> dnnl_memory_desc_t {
        try MemoryDescriptor.tagged([1, outputSize], type: dnnl_f32, tag: dnnl_ab)
    }

    /// The matmul for `rows` source rows (`sourceStride` elements apart, dense by default) into a
    /// dense `[rows, outputSize]` destination of `destinationType` (float32 unless asked for bf16),
    /// reading weights laid out as `weights` (`dnnl_format_tag_any` to let oneDNN choose).
    func descriptor(rows: Int, activation: Activation, fusesAccumulate: Bool, weights: dnnl_memory_desc_t,
                    sourceStride: Int? = nil, destinationType: ActivationType = .float32,
                    engine: OneDNNEngine) throws -> PrimitiveDescriptor {
        let operation = "creating the \(format.rawValue) matmul [\(rows), \(inputSize)] × [\(inputSize), \(outputSize)]"
        let source = try MemoryDescriptor.rowMajor(rows: rows, columns: inputSize, type: sourceType, rowStride: sourceStride)
        let destination = try MemoryDescriptor.rowMajor(rows: rows, columns: outputSize, type: destinationType.dnnlType)
        let attributes = try PrimitiveAttributes()
        var bias: dnnl_memory_desc_t?
        switch format {
        case .bf16:
            if hasBias { bias = try biasDescriptor() }
            if !columnScales.isEmpty {
                try columnScales.withUnsafeBufferPointer { scales in
                    try checkDNNL(dnnl_primitive_attr_set_output_scales(attributes.handle, dnnl_dim_t(outputSize), 1 << 1,
                                                                        scales.baseAddress), operation)
                }
            }
        case .int8:
            try weightScales.withUnsafeBufferPointer { scales in
                try checkDNNL(dnnl_primitive_attr_set_output_scales(attributes.handle, dnnl_dim_t(outputSize), 1 << 1,
                                                                    scales.baseAddress), operation)
            }
            var runtimeZeroPoint = clipseg_dnnl_runtime_s32()
            try checkDNNL(dnnl_primitive_attr_set_zero_points(attributes.handle, DNNL_ARG_SRC, 1, 0, &runtimeZeroPoint),
                          operation)
        }
        let scalar = try Self.scalarDescriptor()
        let biasRow = try biasDescriptor()
        try attributes.setPostOps { postOps in
            if format == .int8 {
                var scalar = scalar
                try checkDNNL(dnnl_post_ops_append_binary(postOps, dnnl_binary_mul, &scalar), operation)
                if hasBias {
                    var biasRow = biasRow
                    try checkDNNL(dnnl_post_ops_append_binary(postOps, dnnl_binary_add, &biasRow), operation)
                }
            }
            try EltwisePostOp(activation)?.append(to: postOps)
            if fusesAccumulate { try checkDNNL(dnnl_post_ops_append_sum(postOps, 1), operation) }
        }
        return try PrimitiveDescriptor(matmulSource: source, weights: weights, bias: bias, destination: destination,
                                       attributes: attributes, engine: engine, operation: operation)
    }
}
