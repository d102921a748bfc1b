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
    /// The caller's input: float32 (converted by the plan) or bf16 (bf16 layers only, read in place).
    var source: ActivationType = .float32
    /// What the matmul writes: float32, or bf16 for a next bf16 layer to read.
    var destination: ActivationType = .float32
}

/// The compiled primitives for one `LinearPlanKey`: a reorder turning a float32 input into
/// the matmul's source type (bf16, or u8 with a runtime scale and zero point; none when the
/// input already is bf16), and the matmul itself with its post-ops. Immutable; primitives may run on several threads at once as long
/// as each call brings its own stream and scratchpad (this build defines DNNL_ENABLE_CONCURRENT_EXEC).
final class LinearPlan: @unchecked Sendable {
    /// Float32 input → matmul source; nil when the caller's input is bf16 already.
    let sourceConversion: OneDNNPrimitive?
    let matmul: OneDNNPrimitive
    /// `[rows, in]` as the caller passes it (float32 or bf16), with the caller's row stride.
    let callerSource: dnnl_memory_desc_t
    /// `[rows, in]` bf16 or u8, dense: what the conversion writes (unused without one).
    let convertedSource: dnnl_memory_desc_t
    /// `[rows, out]` float32 or bf16, dense.
    let destination: dnnl_memory_desc_t
    /// Packed weights in the layout this matmul reads.
    let weights: OneDNNMemory
    let scratchpad: dnnl_memory_desc_t
    let scratchpadBytes: Int
    /// oneDNN's implementation name, e.g. `brg:avx512_core_bf16`, `gemm:jit`, `ref:any`.
    let implementation: String
    /// Whether that is one of oneDNN's reference (scalar, orders of magnitude slower) implementations.
    var isReference: Bool { implementation.hasPrefix("ref") }

    init(sourceConversion: OneDNNPrimitive?, matmul: OneDNNPrimitive, callerSource: dnnl_memory_desc_t,
         convertedSource: dnnl_memory_desc_t, destination: dnnl_memory_desc_t, weights: OneDNNMemory,
         scratchpad: dnnl_memory_desc_t, implementation: String) {
        self.sourceConversion = sourceConversion
        self.matmul = matmul
        self.callerSource = callerSource
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
        precondition(key.source == .float32 || recipe.format == .bf16, "an int8 layer quantizes float32 input only")
        // A bf16 input is the matmul's source as it is (strided if the caller's rows are).
        let sourceStride = key.source == .bf16 ? key.inputStride : nil
        func describe(_ weights: dnnl_memory_desc_t) throws -> PrimitiveDescriptor {
            try recipe.descriptor(rows: key.rows, activation: key.activation, fusesAccumulate: key.fusesAccumulate,
                                  weights: weights, sourceStride: sourceStride, destinationType: key.destination,
                                  engine: engine)
        }
        var matmul = try describe(MemoryDescriptor.tagged([recipe.inputSize, recipe.outputSize], type: recipe.weightType,
                                                          tag: dnnl_format_tag_any))
        if !MemoryDescriptor.equal(matmul.memoryDescriptor(dnnl_query_weights_md), packedWeights.descriptor) {
            matmul = try describe(packedWeights.descriptor)
        }
        let callerSource = try MemoryDescriptor.rowMajor(rows: key.rows, columns: recipe.inputSize,
                                                         type: key.source.dnnlType, rowStride: key.inputStride)
        let convertedSource = try MemoryDescriptor.rowMajor(rows: key.rows, columns: recipe.inputSize,
                                                            type: recipe.sourceType)
        var conversion: OneDNNPrimitive?
        if key.source == .float32 {
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
            conversion = try PrimitiveDescriptor(reorderFrom: callerSource, to: convertedSource,
                                                 attributes: conversionAttributes, engine: engine,
                                                 operation: "describing the \(recipe.format.rawValue) input conversion")
                .makePrimitive("creating the input conversion")
        }
        self.init(sourceConversion: conversion,
                  matmul: try matmul.makePrimitive("creating the \(recipe.format.rawValue) matmul for \(key.rows) rows"),
                  callerSource: callerSource, convertedSource: convertedSource,
                  destination: try MemoryDescriptor.rowMajor(rows: key.rows, columns: recipe.outputSize,
                                                             type: key.destination.dnnlType),
                  weights: packedWeights, scratchpad: matmul.memoryDescriptor(dnnl_query_scratchpad_md),
                  implementation: matmul.implementation)
    }
}
