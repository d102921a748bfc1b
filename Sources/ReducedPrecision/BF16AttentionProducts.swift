import CDNNL

/// Multi-head attention's two products in bf16 through oneDNN, for every sequence and head in
/// one batched matmul each: `scores = (scale·Q) Kᵀ` and `output = P V`. The softmax between them
/// (and any causal mask) stays with the caller, in float32.
///
/// Operands come straight from a packed projection, `[batch · tokens, 3 · hidden]` rows laid out
/// `query | key | value` with head `h` in columns `h·headDim ..< (h+1)·headDim` of each part
/// (TensorKit `ScaledDotProductAttention`'s layout); the output is `[batch · tokens, hidden]`
/// with the heads side by side. Operands are rounded to bf16 (queries after scaling, as
/// transformers scales `q_proj`'s output); sums are float32.
///
/// `@unchecked Sendable` for the reasons `PackedLinearLayer` gives; each thread brings its own
/// `ReducedPrecisionContext`. Needs AVX-512 (see `ReducedPrecisionFormat.bf16.isAvailable`).
public final class BF16AttentionProducts: @unchecked Sendable {
    public let heads: Int
    public let headDim: Int
    /// Multiplies the queries before the product (usually `headDim^-0.5`).
    public let scale: Float

    private let engine: OneDNNEngine
    private let plans = PlanCache<AttentionPlanKey, AttentionPlan>()

    public init(heads: Int, headDim: Int, scale: Float) throws {
        precondition(heads > 0 && headDim > 0, "attention needs heads and a head size, got \(heads)×\(headDim)")
        self.heads = heads
        self.headDim = headDim
        self.scale = scale
        engine = try OneDNNEngine.cpu()
    }

    /// Floats the scores need: `[batch, heads, tokens, tokens]`.
    public func scoreCount(batch: Int, tokens: Int) -> Int { batch * heads * tokens * tokens }

    /// `scores[b, h, i, j] = scale · q[b, i, h] · k[b, j, h]`, dense `[batch, heads, tokens, tokens]`
    /// (so a softmax over rows is one call over `batch · heads · tokens` rows of `tokens`).
    public func scores(packed: UnsafePointer<Float>, batch: Int, tokens: Int, into scores: UnsafeMutablePointer<Float>,
                       context: ReducedPrecisionContext) throws {
        guard batch > 0, tokens > 0 else { return }
        let plan = try self.plan(batch: batch, tokens: tokens, context: context)
        let hidden = heads * headDim
        let q = try operand(0, plan, context), k = try operand(1, plan, context)
        let query = try OneDNNMemory(plan.queries, engine: engine, pointer: UnsafeMutableRawPointer(mutating: packed))
        let key = try OneDNNMemory(plan.keys, engine: engine, pointer: UnsafeMutableRawPointer(mutating: packed + hidden))
        let result = try OneDNNMemory(plan.scores, engine: engine, pointer: UnsafeMutableRawPointer(scores))
        try run(plan, context, [(plan.queryConversion, [(DNNL_ARG_FROM, query), (DNNL_ARG_TO, q)]),
                                (plan.keyConversion, [(DNNL_ARG_FROM, key), (DNNL_ARG_TO, k)]),
                                (plan.scoresMatmul, [(DNNL_ARG_SRC, q), (DNNL_ARG_WEIGHTS, k), (DNNL_ARG_DST, result)])])
    }

    /// `output[b·tokens + i, h·headDim + e] = Σ_j p[b, h, i, j] · v[b, j, h, e]`, written into
    /// `[batch · tokens, hidden]` rows (every element of them is overwritten).
    public func weightedValues(probabilities: UnsafePointer<Float>, packed: UnsafePointer<Float>, batch: Int, tokens: Int,
                               into output: UnsafeMutablePointer<Float>, context: ReducedPrecisionContext) throws {
        guard batch > 0, tokens > 0 else { return }
        let plan = try self.plan(batch: batch, tokens: tokens, context: context)
        let hidden = heads * headDim
        let p = try operand(2, plan, context), v = try operand(3, plan, context)
        let probability = try OneDNNMemory(plan.scores, engine: engine, pointer: UnsafeMutableRawPointer(mutating: probabilities))
        let value = try OneDNNMemory(plan.values, engine: engine, pointer: UnsafeMutableRawPointer(mutating: packed + 2 * hidden))
        let result = try OneDNNMemory(plan.output, engine: engine, pointer: UnsafeMutableRawPointer(output))
        try run(plan, context, [(plan.probabilityConversion, [(DNNL_ARG_FROM, probability), (DNNL_ARG_TO, p)]),
                                (plan.valueConversion, [(DNNL_ARG_FROM, value), (DNNL_ARG_TO, v)]),
                                (plan.valuesMatmul, [(DNNL_ARG_SRC, p), (DNNL_ARG_WEIGHTS, v), (DNNL_ARG_DST, result)])])
    }

    /// The context's bf16 buffer for operand `index`, wrapped for `plan`.
    private func operand(_ index: Int, _ plan: AttentionPlan, _ context: ReducedPrecisionContext) throws -> OneDNNMemory {
        let layout = plan.converted[index]
        return try OneDNNMemory(layout, engine: engine,
                                pointer: context.attentionOperands[index].reserve(MemoryDescriptor.byteSize(layout)))
    }

    /// Runs `steps` in order on the context's stream, each with the shared scratchpad.
    private func run(_ plan: AttentionPlan, _ context: ReducedPrecisionContext,
                     _ steps: [(OneDNNPrimitive, [(Int32, OneDNNMemory)])]) throws {
        let scratchpad = plan.scratchpadBytes > 0
            ? try OneDNNMemory(plan.scratchpad, engine: engine, pointer: context.scratchpad.reserve(plan.scratchpadBytes))
            : nil
        for (primitive, arguments) in steps {
            var list = arguments.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1.handle) }
            if let scratchpad { list.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: scratchpad.handle)) }
            try withExtendedLifetime((arguments, scratchpad)) {
                try context.execute(primitive.handle, list, "running a bf16 attention step")
            }
        }
    }

    private func plan(batch: Int, tokens: Int, context: ReducedPrecisionContext) throws -> AttentionPlan {
        context.applyThreadCount()
        let key = AttentionPlanKey(batch: batch, tokens: tokens, threadCount: context.threadCount)
        return try plans.plan(for: key) {
            try AttentionPlan(key: key, heads: heads, headDim: headDim, scale: scale, engine: engine)
        }
    }
}
