import CDNNL

/// Multi-head attention's two products in bf16 through oneDNN, for every sequence and head in
/// one batched matmul each: `scores = scale · Q Kᵀ` and `output = P V`. The softmax between them
/// (and any causal mask) stays with the caller (`OneDNNSoftmax` writes the bf16 probabilities).
///
/// Operands come straight from a packed projection, `[batch · tokens, 3 · hidden]` rows laid out
/// `query | key | value` with head `h` in columns `h·headDim ..< (h+1)·headDim` of each part
/// (TensorKit `ScaledDotProductAttention`'s layout), best in bf16 as a `PackedLinearLayer` writes
/// it (`apply(_:rows:into:)` with a `.bf16` output): queries and keys are then read in place. Float32 operands are
/// accepted too and rounded to bf16 first. `scale` multiplies the float32 sums (for the usual
/// `headDim^-0.5` with a power-of-two `headDim` that equals scaling the queries before rounding,
/// as transformers does). The output is `[batch · tokens, hidden]` with the heads side by side,
/// float32 or bf16. Sums are float32.
///
/// The model runs `HeadBlockAttention` instead (the same scheme block by block, its scores kept in
/// cache, faster); this batched form serves `gemm-bench` and cross-checks it in the tests.
///
/// `@unchecked Sendable` for the reasons `PackedLinearLayer` gives; each thread brings its own
/// `ReducedPrecisionContext` (whose scratch holds the values' dense copy and converted operands).
/// Needs AVX-512 (see `ReducedPrecisionFormat.bf16.isAvailable`).
public final class BF16AttentionProducts: @unchecked Sendable {
    public let heads: Int
    public let headDim: Int
    /// Multiplies the scores (usually `headDim^-0.5`).
    public let scale: Float

    private let engine: OneDNNEngine
    private let plans = PlanCache<AttentionPlanKey, AttentionPlan>()
    private let rounding: BF16Conversion

    public init(heads: Int, headDim: Int, scale: Float) throws {
        precondition(heads > 0 && headDim > 0, "attention needs heads and a head size, got \(heads)×\(headDim)")
        self.heads = heads
        self.headDim = headDim
        self.scale = scale
        engine = try OneDNNEngine.cpu()
        rounding = try BF16Conversion()
    }

    /// Floats the scores need: `[batch, heads, tokens, tokens]`.
    public func scoreCount(batch: Int, tokens: Int) -> Int { batch * heads * tokens * tokens }

    /// `scores[b, h, i, j] = scale · q[b, i, h] · k[b, j, h]`, dense float32 `[batch, heads, tokens, tokens]`
    /// (so a softmax over rows is one call over `batch · heads · tokens` rows of `tokens`), from bf16 rows.
    public func scores(packedBF16 packed: UnsafePointer<UInt16>, batch: Int, tokens: Int,
                       into scores: UnsafeMutablePointer<Float>, context: ReducedPrecisionContext) throws {
        guard batch > 0, tokens > 0 else { return }
        let plan = try self.plan(batch: batch, tokens: tokens, output: .float32, context: context)
        let hidden = heads * headDim
        let query = try memory(plan.queries, packed)
        let key = try memory(plan.keys, packed + hidden)
        let result = try memory(plan.scores, scores)
        try run(plan, context, [(plan.scoresMatmul, [(DNNL_ARG_SRC, query), (DNNL_ARG_WEIGHTS, key), (DNNL_ARG_DST, result)])])
    }

    /// `output[b·tokens + i, h·headDim + e] = Σ_j p[b, h, i, j] · v[b, j, h, e]` from bf16
    /// probabilities (`[batch, heads, tokens, tokens]`) and bf16 rows, written into `[batch · tokens,
    /// hidden]` rows of `outputType` at `output` (every element of them is overwritten).
    public func weightedValues(probabilities: UnsafePointer<UInt16>, packedBF16 packed: UnsafePointer<UInt16>,
                               batch: Int, tokens: Int, into output: UnsafeMutableRawPointer, outputType: ActivationType,
                               context: ReducedPrecisionContext) throws {
        guard batch > 0, tokens > 0 else { return }
        let plan = try self.plan(batch: batch, tokens: tokens, output: outputType, context: context)
        let hidden = heads * headDim
        let value = try memory(plan.values, packed + 2 * hidden)
        let dense = try OneDNNMemory(plan.denseValues, engine: engine,
                                     pointer: context.attentionValues.reserve(MemoryDescriptor.byteSize(plan.denseValues)))
        let probability = try memory(plan.probabilities, probabilities)
        let result = try OneDNNMemory(plan.output, engine: engine, pointer: output)
        try run(plan, context, [(plan.valueCopy, [(DNNL_ARG_FROM, value), (DNNL_ARG_TO, dense)]),
                                (plan.valuesMatmul, [(DNNL_ARG_SRC, probability), (DNNL_ARG_WEIGHTS, dense),
                                                     (DNNL_ARG_DST, result)])])
    }

    /// `scores(packedBF16:…)` for float32 rows (rounded to bf16 first, in the context's scratch).
    public func scores(packed: UnsafePointer<Float>, batch: Int, tokens: Int, into scores: UnsafeMutablePointer<Float>,
                       context: ReducedPrecisionContext) throws {
        let rows = try rounded(packed, count: batch * tokens * 3 * heads * headDim, context.convertedPacked, context)
        try self.scores(packedBF16: rows, batch: batch, tokens: tokens, into: scores, context: context)
    }

    /// `weightedValues(…)` for float32 probabilities and rows (both rounded to bf16 first), float32 output.
    public func weightedValues(probabilities: UnsafePointer<Float>, packed: UnsafePointer<Float>, batch: Int, tokens: Int,
                               into output: UnsafeMutablePointer<Float>, context: ReducedPrecisionContext) throws {
        let rows = try rounded(packed, count: batch * tokens * 3 * heads * headDim, context.convertedPacked, context)
        let p = try rounded(probabilities, count: scoreCount(batch: batch, tokens: tokens),
                            context.convertedProbabilities, context)
        try weightedValues(probabilities: p, packedBF16: rows, batch: batch, tokens: tokens,
                           into: UnsafeMutableRawPointer(output), outputType: .float32, context: context)
    }

    /// `values` rounded to bf16 into `buffer`.
    private func rounded(_ values: UnsafePointer<Float>, count: Int, _ buffer: AlignedScratchBuffer,
                         _ context: ReducedPrecisionContext) throws -> UnsafeMutablePointer<UInt16> {
        let target = buffer.reserve(count * 2).bindMemory(to: UInt16.self, capacity: count)
        try rounding.apply(values, count: count, into: target, context: context)
        return target
    }

    /// The caller's buffer at `pointer` wrapped as `layout`.
    private func memory<T>(_ layout: dnnl_memory_desc_t, _ pointer: UnsafePointer<T>) throws -> OneDNNMemory {
        try OneDNNMemory(layout, engine: engine, pointer: UnsafeMutableRawPointer(mutating: pointer))
    }

    /// Runs `steps` in order on the context's stream.
    private func run(_ plan: AttentionPlan, _ context: ReducedPrecisionContext,
                     _ steps: [(OneDNNPrimitive, [(Int32, OneDNNMemory)])]) throws {
        try context.run(steps, scratchpad: plan.scratchpad, bytes: plan.scratchpadBytes, "running a bf16 attention step")
    }

    private func plan(batch: Int, tokens: Int, output: ActivationType, context: ReducedPrecisionContext) throws -> AttentionPlan {
        context.applyThreadCount()
        let key = AttentionPlanKey(batch: batch, tokens: tokens, threadCount: context.threadCount, output: output)
        return try plans.plan(for: key) {
            try AttentionPlan(key: key, heads: heads, headDim: headDim, scale: scale, engine: engine)
        }
    }
}
