import CDNNL
import TensorKit

/// A fully connected layer (`torch.nn.Linear`, `y = x Wᵀ + b`) computed by oneDNN in bf16 or
/// int8 (see `ReducedPrecisionFormat`), with float32 input and output.
///
/// Weights are converted once, at construction, into the blocked layout oneDNN's matmul prefers
/// (bf16, or s8 with one scale per output channel) and owned by this object (`packedWeightBytes`);
/// the float32 weights passed in are not retained. Each call takes `[rows, inputSize]` float32
/// activations and writes `[rows, outputSize]` float32, with bias, an optional fused activation
/// and an optional residual accumulate; `rows` may change from call to call. The compiled
/// primitives for each distinct call shape (rows, input stride, activation, accumulate, thread
/// count) are cached here (a `PlanCache`, at most 64 shapes).
///
/// Thread-safety: `@unchecked Sendable` because the packed weights and bias never change after
/// `init`, the plan cache is guarded by a lock, and oneDNN primitives may execute on several
/// threads at once when each call has its own stream and scratchpad — which is what a
/// `ReducedPrecisionContext` (one per thread) provides.
public final class PackedLinearLayer: @unchecked Sendable {
    /// Number of input features (`in`).
    public let inputSize: Int
    /// Number of output features (`out`).
    public let outputSize: Int
    /// bf16 or int8.
    public var format: ReducedPrecisionFormat { recipe.format }
    /// Bytes oneDNN's packed weight buffer occupies.
    public var packedWeightBytes: Int { MemoryDescriptor.byteSize(packedWeights.descriptor) }
    let recipe: LinearMatmulRecipe
    let engine: OneDNNEngine
    let packedWeights: OneDNNMemory
    /// `[1, outputSize]` float32, or nil.
    let bias: OneDNNMemory?
    private let plans = PlanCache<LinearPlanKey, LinearPlan>()

    /// A layer from PyTorch's `weight` (`[outputSize, inputSize]` row-major) and optional `bias`
    /// (`[outputSize]`). `typicalRows` is the row count used to ask oneDNN for its preferred
    /// weight layout (the layout does not depend on it for the shapes measured; calls with other
    /// row counts still work, see `implementationName`). `columnScales` (`[outputSize]`), if given,
    /// multiply each output column after the bias and before any activation, in float32 before the
    /// output is rounded (e.g. attention's query scale on the query part of a fused q|k|v layer).
    public init(pytorchWeight: [Float], bias: [Float]?, inputSize: Int, outputSize: Int,
                format: ReducedPrecisionFormat, typicalRows: Int = 256, columnScales: [Float]? = nil) throws {
        precondition(inputSize > 0 && outputSize > 0, "PackedLinearLayer needs positive sizes, got \(inputSize)→\(outputSize)")
        precondition(pytorchWeight.count == inputSize * outputSize,
                     "Linear weight has \(pytorchWeight.count) values, expected \(outputSize)×\(inputSize)")
        precondition(bias == nil || bias?.count == outputSize, "Linear bias length differs from \(outputSize)")
        let engine = try OneDNNEngine.cpu()
        self.engine = engine
        self.inputSize = inputSize
        self.outputSize = outputSize

        // The plain source of the weights, seen as `[in, out]` in column-major order (`ba`),
        // which is PyTorch's `[out, in]` row-major buffer as it is.
        let quantization: WeightQuantization? = format == .int8
            ? pytorchWeight.withUnsafeBufferPointer {
                WeightQuantization(pytorchWeight: $0, inputSize: inputSize, outputSize: outputSize) }
            : nil
        precondition(columnScales == nil || columnScales?.count == outputSize, "column scales length differs from \(outputSize)")
        // int8 folds the column scales into the weights' dequantization scales and the bias (a post-op there).
        var recipe = LinearMatmulRecipe(inputSize: inputSize, outputSize: outputSize, format: format, hasBias: bias != nil,
                                        weightScales: zip(quantization?.scales ?? [], columnScales ?? [Float](
                                            repeating: 1, count: outputSize)).map { $0 * $1 })
        if format == .bf16 { recipe.columnScales = columnScales ?? [] }
        let bias = format == .int8 && bias != nil && columnScales != nil ? zip(bias!, columnScales!).map { $0 * $1 } : bias
        self.recipe = recipe
        let preferred = try recipe.descriptor(
            rows: max(1, typicalRows), activation: .identity, fusesAccumulate: false,
            weights: MemoryDescriptor.tagged([inputSize, outputSize], type: recipe.weightType, tag: dnnl_format_tag_any),
            engine: engine).memoryDescriptor(dnnl_query_weights_md)
        let packed = try OneDNNMemory(preferred, engine: engine, pointer: nil)
        if let quantization {
            var codes = quantization.codes
            try codes.withUnsafeMutableBytes { raw in
                try Self.reorder(from: MemoryDescriptor.tagged([inputSize, outputSize], type: dnnl_s8, tag: dnnl_ba),
                                 pointer: raw.baseAddress, into: packed, engine: engine)
            }
        } else {
            var weight = pytorchWeight
            try weight.withUnsafeMutableBytes { raw in
                try Self.reorder(from: MemoryDescriptor.tagged([inputSize, outputSize], type: dnnl_f32, tag: dnnl_ba),
                                 pointer: raw.baseAddress, into: packed, engine: engine)
            }
        }
        self.packedWeights = packed

        if let bias {
            let memory = try OneDNNMemory(recipe.biasDescriptor(), engine: engine, pointer: nil)
            if let destination = memory.dataPointer?.assumingMemoryBound(to: Float.self) {
                bias.withUnsafeBufferPointer { destination.update(from: $0.baseAddress!, count: outputSize) }
            }
            self.bias = memory
        } else {
            self.bias = nil
        }
    }

    /// The same layer as a TensorKit `DenseLayer` (its weights read back in PyTorch's layout), in `format`.
    public convenience init(_ layer: DenseLayer, format: ReducedPrecisionFormat, typicalRows: Int = 256,
                            columnScales: [Float]? = nil) throws {
        try self.init(pytorchWeight: layer.weights.pytorchLayout(), bias: layer.bias, inputSize: layer.inputSize,
                      outputSize: layer.outputSize, format: format, typicalRows: typicalRows, columnScales: columnScales)
    }

    /// `output[rows, outputSize] = activation(input[rows, inputSize] · Wᵀ + b)`, or with
    /// `accumulate` `output += activation(input · Wᵀ + b)` (a residual add).
    ///
    /// Row strides default to the dense widths; a strided output is computed into the context's
    /// staging buffer and copied (oneDNN 2.6's fast kernels want a dense destination). Runs on
    /// `context.threadCount` OpenMP threads of the calling thread. Throws `OneDNNError` only if
    /// oneDNN cannot build or run a primitive.
    public func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
                      activation: Activation = .identity, accumulate: Bool = false,
                      inputStride: Int? = nil, outputStride: Int? = nil,
                      context: ReducedPrecisionContext) throws {
        try run(UnsafeRawPointer(input), source: .float32, rows: rows, into: UnsafeMutableRawPointer(output),
                destination: .float32, activation: activation, accumulate: accumulate,
                inputStride: inputStride, outputStride: outputStride, context: context)
    }

    /// Every `apply`: `input` (`[rows, inputSize]` of `source`, row stride `inputStride`) through
    /// the layer into `output` (`[rows, outputSize]` of `destination`, row stride `outputStride`;
    /// a bf16 destination must be dense).
    func run(_ input: UnsafeRawPointer, source: ActivationType, rows: Int, into output: UnsafeMutableRawPointer,
             destination: ActivationType, activation: Activation, accumulate: Bool,
             inputStride: Int?, outputStride: Int?, context: ReducedPrecisionContext) throws {
        let inputStride = inputStride ?? inputSize
        let outputStride = outputStride ?? outputSize
        precondition(rows >= 0 && inputStride >= inputSize && outputStride >= outputSize,
                     "bad call shape: \(rows) rows, strides \(inputStride)/\(outputStride) for \(inputSize)→\(outputSize)")
        precondition(destination == .float32 || outputStride == outputSize, "a bf16 output must be dense")
        guard rows > 0 else { return }
        context.applyThreadCount()
        var key = LinearPlanKey(rows: rows, inputStride: inputStride, activation: activation,
                                fusesAccumulate: accumulate && outputStride == outputSize,
                                threadCount: context.threadCount, source: source, destination: destination)
        var plan = try self.plan(for: key)
        if key.fusesAccumulate && destination == .float32 && plan.isReference {
            // oneDNN 2.6 without VNNI has no fast int8 matmul with a "sum" post-op next to binary ones (its
            // reference kernel takes seconds per layer): add the residual after the matmul instead.
            key.fusesAccumulate = false
            plan = try self.plan(for: key)
        }
        let staged = accumulate && !key.fusesAccumulate || outputStride != outputSize
        let target = staged ? context.stagedOutput.reserve(rows * outputSize * MemoryLayout<Float>.size) : output
        try LinearExecution(layer: self, plan: plan, context: context)
            .run(input: input, rows: rows, inputStride: inputStride, destination: target)
        if staged {
            let dense = target.assumingMemoryBound(to: Float.self)
            let output = output.assumingMemoryBound(to: Float.self)
            for row in 0..<rows {
                let from = dense + row * outputSize, to = output + row * outputStride
                if accumulate {
                    for column in 0..<outputSize { to[column] += from[column] }
                } else {
                    to.update(from: from, count: outputSize)
                }
            }
        }
    }

    /// The layer applied to every row of `x` (`[..., inputSize]` → `[..., outputSize]`).
    public func callAsFunction(_ x: Tensor, activation: Activation = .identity,
                               context: ReducedPrecisionContext) throws -> Tensor {
        precondition(x.innerSize == inputSize, "Linear over \(inputSize) features got shape \(x.shape)")
        let rows = x.count / inputSize
        var y = Tensor(shape: Array(x.shape.dropLast()) + [outputSize])
        try x.data.withUnsafeBufferPointer { px in
            try y.data.withUnsafeMutableBufferPointer { py in
                try apply(px.baseAddress!, rows: rows, into: py.baseAddress!, activation: activation, context: context)
            }
        }
        return y
    }

    /// oneDNN's name for the matmul kernel a call of this shape runs, e.g. `brg:avx512_core_bf16`
    /// (AVX512-BF16), `brg:avx512_core_vnni` (VNNI int8), `gemm:jit`, or `ref:any` (slow reference).
    public func implementationName(rows: Int, activation: Activation = .identity, accumulate: Bool = false,
                                   context: ReducedPrecisionContext) throws -> String {
        context.applyThreadCount()
        return try plan(for: LinearPlanKey(rows: max(1, rows), inputStride: inputSize, activation: activation,
                                           fusesAccumulate: accumulate, threadCount: context.threadCount)).implementation
    }

    /// The cached plan for `key`, built on first use.
    func plan(for key: LinearPlanKey) throws -> LinearPlan {
        try plans.plan(for: key) {
            try LinearPlan(recipe: recipe, key: key, packedWeights: packedWeights, engine: engine)
        }
    }

    /// Converts the plain weights at `pointer` (`source` layout) into `packed`'s layout and type.
    private static func reorder(from source: dnnl_memory_desc_t, pointer: UnsafeMutableRawPointer?,
                                into packed: OneDNNMemory, engine: OneDNNEngine) throws {
        let context = try ReducedPrecisionContext(threadCount: Int(clipseg_dnnl_get_threads()))
        let plain = try OneDNNMemory(source, engine: engine, pointer: pointer)
        let descriptor = try PrimitiveDescriptor(reorderFrom: source, to: packed.descriptor, attributes: nil,
                                                 engine: engine, operation: "describing the weight packing")
        let primitive = try descriptor.makePrimitive("creating the weight packing")
        try withExtendedLifetime(plain) {
            try context.execute(primitive.handle, [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: plain.handle),
                                                   dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: packed.handle)],
                                "packing weights")
        }
    }
}
