import CDNNL
import TensorKit

/// What a `PackedLinearLayer` call needs compiled: everything that changes the oneDNN
/// primitives. Calls that agree on all of these reuse one `LinearPlan`.
struct LinearPlanKey: Hashable {
    /// Token rows in this call.
    var rows: Int
    /// Elements between consecutive input rows.
    var inputStride: Int
    /// Activation fused into the matmul.
    var activation: Activation
    /// Whether the matmul adds onto its destination (oneDNN "sum" post-op).
    var fusesAccumulate: Bool
    /// OpenMP threads the primitives were created for (oneDNN plans its work split at creation).
    var threadCount: Int
}

/// The compiled primitives for one `LinearPlanKey`: a reorder turning the float32 input into
/// the matmul's source type (bf16, or u8 with a runtime scale and zero point), and the matmul
/// itself with its post-ops. Immutable; primitives may run on several threads at once as long
/// as each call brings its own stream and scratchpad (this build defines DNNL_ENABLE_CONCURRENT_EXEC).
final class LinearPlan: @unchecked Sendable {
    let sourceConversion: OneDNNPrimitive
    let matmul: OneDNNPrimitive
    /// `[rows, in]` float32 with the caller's row stride.
    let floatSource: dnnl_memory_desc_t
    /// `[rows, in]` bf16 or u8, dense.
    let convertedSource: dnnl_memory_desc_t
    /// `[rows, out]` float32, dense.
    let destination: dnnl_memory_desc_t
    /// Packed weights in the layout this matmul reads.
    let weights: OneDNNMemory
    let scratchpad: dnnl_memory_desc_t
    let scratchpadBytes: Int
    /// oneDNN's implementation name, e.g. `brg:avx512_core_bf16`, `gemm:jit`, `ref:any`.
    let implementation: String

    init(sourceConversion: OneDNNPrimitive, matmul: OneDNNPrimitive, floatSource: dnnl_memory_desc_t,
         convertedSource: dnnl_memory_desc_t, destination: dnnl_memory_desc_t, weights: OneDNNMemory,
         scratchpad: dnnl_memory_desc_t, implementation: String) {
        self.sourceConversion = sourceConversion
        self.matmul = matmul
        self.floatSource = floatSource
        self.convertedSource = convertedSource
        self.destination = destination
        self.weights = weights
        self.scratchpad = scratchpad
        self.scratchpadBytes = MemoryDescriptor.byteSize(scratchpad)
        self.implementation = implementation
    }
}

extension LinearPlan {
    /// Builds the primitives for `key`. The matmul is first asked to choose its weight layout;
    /// if it would want another one than the weights were packed in, it is built for the packed
    /// layout instead (whichever implementation accepts that; at worst oneDNN's reference one).
    convenience init(recipe: LinearMatmulRecipe, key: LinearPlanKey, packedWeights: OneDNNMemory,
                     engine: OneDNNEngine) throws {
        let anyLayout = try MemoryDescriptor.tagged([recipe.inputSize, recipe.outputSize], type: recipe.weightType,
                                                    tag: dnnl_format_tag_any)
        var matmul = try recipe.descriptor(rows: key.rows, activation: key.activation,
                                           fusesAccumulate: key.fusesAccumulate, weights: anyLayout, engine: engine)
        if !MemoryDescriptor.equal(matmul.memoryDescriptor(dnnl_query_weights_md), packedWeights.descriptor) {
            matmul = try recipe.descriptor(rows: key.rows, activation: key.activation,
                                           fusesAccumulate: key.fusesAccumulate, weights: packedWeights.descriptor,
                                           engine: engine)
        }
        let floatSource = try MemoryDescriptor.rowMajor(rows: key.rows, columns: recipe.inputSize, type: dnnl_f32,
                                                        rowStride: key.inputStride)
        let convertedSource = try MemoryDescriptor.rowMajor(rows: key.rows, columns: recipe.inputSize,
                                                            type: recipe.sourceType)
        // int8: u8 = saturate(round(x · (1 / s_x) + z_x)), both supplied per call.
        let conversionAttributes = try PrimitiveAttributes()
        if recipe.format == .int8 {
            var runtimeScale = clipseg_dnnl_runtime_f32()
            try checkDNNL(dnnl_primitive_attr_set_output_scales(conversionAttributes.handle, 1, 0, &runtimeScale),
                          "setting the activation quantization scale")
            var runtimeZeroPoint = clipseg_dnnl_runtime_s32()
            try checkDNNL(dnnl_primitive_attr_set_zero_points(conversionAttributes.handle, DNNL_ARG_DST, 1, 0,
                                                              &runtimeZeroPoint),
                          "setting the activation zero point")
        }
        let conversion = try PrimitiveDescriptor(reorderFrom: floatSource, to: convertedSource,
                                                 attributes: conversionAttributes, engine: engine,
                                                 operation: "describing the \(recipe.format.rawValue) input conversion")
        self.init(sourceConversion: try conversion.makePrimitive("creating the input conversion"),
                  matmul: try matmul.makePrimitive("creating the \(recipe.format.rawValue) matmul for \(key.rows) rows"),
                  floatSource: floatSource, convertedSource: convertedSource,
                  destination: try MemoryDescriptor.rowMajor(rows: key.rows, columns: recipe.outputSize, type: dnnl_f32),
                  weights: packedWeights, scratchpad: matmul.memoryDescriptor(dnnl_query_scratchpad_md),
                  implementation: matmul.implementation)
    }
}
