import CDNNL
import CVectorKernels
import TensorKit

/// Attention of one head of one sequence for a block of its query rows, in bf16 on the calling
/// thread: `scores = scale · Q[rows] Kᵀ` (float32 `[rows, tokens]`), their row softmax as bf16
/// probabilities, then `output[rows, head] = P V` (float32 sums, written as float32 or bf16).
///
/// On CPUs with AVX512-BF16 (and heads of at most 64, a multiple of 16) a fused C kernel does all
/// three six query rows at a time (`clipseg_bf16_attention` in CVectorKernels; `usesFusedKernel`),
/// packing the head's keys and values into the context's scratch once per call. Elsewhere (AVX-512
/// without BF16) three oneDNN primitives run on the context, as described below; their softmax rounds
/// a quarter of the probabilities 1 ulp away from nearest, the fused kernel rounds all to nearest.
/// The oneDNN path keeps scores and probabilities in the context's scratch, small enough (≈ 0.7 MB
/// for 243 rows of 485) to stay in a core's L2 cache between the three steps, which the batched
/// `BF16AttentionProducts` + `OneDNNSoftmax` (11 MB of scores for 12 heads × 485 tokens) cannot.
/// Meant to run many blocks at once, one per thread, each thread with its own single-thread
/// `ReducedPrecisionContext` (see `blocks(batch:tokens:)`).
///
/// Operands are read in place from the packed bf16 projection `[batch · tokens, 3 · hidden]`
/// (`query | key | value`, head `h` in columns `h·headDim ..< (h+1)·headDim` of each part); the
/// output is `[batch · tokens, hidden]` with the heads side by side, and a call writes only its
/// rows of its head's columns. The oneDNN path gives the same numbers as `BF16AttentionProducts` up
/// to float32 summation order. `@unchecked Sendable` like `PackedLinearLayer`. Needs bf16 matmuls (AVX-512).
public final class HeadBlockAttention: @unchecked Sendable {
    public let heads: Int
    public let headDim: Int
    /// Multiplies the scores (usually `headDim^-0.5`).
    public let scale: Float
    /// The most query rows in one block.
    public static let largestBlock = 256

    private struct Key: Hashable {
        var rows: Int, tokens: Int, threadCount: Int, output: ActivationType
    }

    /// Whether blocks run the fused AVX512-BF16 kernel (`clipseg_bf16_attention`: scores, softmax and
    /// weighted values for a few rows at a time, in registers and L1) rather than three oneDNN primitives.
    public let usesFusedKernel: Bool
    private let engine: OneDNNEngine
    private let plans = PlanCache<Key, HeadBlockPlan>()

    /// `allowsFusedKernel: false` keeps the oneDNN primitives even where the fused kernel runs (tests compare both).
    public init(heads: Int, headDim: Int, scale: Float, allowsFusedKernel: Bool = true) throws {
        precondition(heads > 0 && headDim > 0, "attention needs heads and a head size, got \(heads)×\(headDim)")
        self.heads = heads
        self.headDim = headDim
        self.scale = scale
        engine = try OneDNNEngine.cpu()
        usesFusedKernel = allowsFusedKernel && Self.fusedKernelRunsHere && clipseg_bf16_attention_supports(headDim) == 1
    }

    /// Whether this CPU runs the fused AVX512-BF16 kernel (for the head sizes it takes). `DNNL_MAX_CPU_ISA`
    /// below AVX512-BF16 (how tests emulate older CPUs) turns it off too.
    public static var fusedKernelRunsHere: Bool {
        ["avx512_core_bf16", "avx512_core_amx"].contains(OneDNNRuntime.instructionSet)
            && clipseg_bf16_attention_available() == 1
    }

    /// Every (sequence, head, query rows) block of `batch` sequences of `tokens`: near-equal row
    /// blocks of at most `largestBlock` rows (so at most two distinct block sizes, two plans).
    public func blocks(batch: Int, tokens: Int) -> [(sequence: Int, head: Int, rows: Range<Int>)] {
        let parts = (tokens + Self.largestBlock - 1) / Self.largestBlock
        let rowBlocks = (0..<parts).map { ParallelLoop.piece($0, of: parts, 0..<tokens) }
        return (0..<batch).flatMap { sequence in
            (0..<heads).flatMap { head in rowBlocks.map { (sequence, head, $0) } }
        }
    }

    /// Attends query `rows` of `head` in `sequence` and writes them into `output` (`outputType`).
    public func apply(packedBF16 packed: UnsafePointer<UInt16>, tokens: Int, sequence: Int, head: Int, rows: Range<Int>,
                      into output: UnsafeMutableRawPointer, outputType: ActivationType,
                      context: ReducedPrecisionContext) throws {
        guard !rows.isEmpty else { return }
        precondition(rows.upperBound <= tokens && head < heads, "block \(rows) of head \(head) outside \(tokens) tokens")
        let hidden = heads * headDim
        if usesFusedKernel {
            let sequenceRows = packed + sequence * tokens * 3 * hidden + head * headDim
            let scratch = context.blockScores.reserve(clipseg_bf16_attention_scratch_bytes(tokens, headDim))
            clipseg_bf16_attention(sequenceRows, sequenceRows + hidden, sequenceRows + 2 * hidden, 3 * hidden, tokens,
                                   headDim, rows.lowerBound, rows.count, scale,
                                   output + (sequence * tokens * hidden + head * headDim) * outputType.byteCount, hidden,
                                   outputType == .bf16 ? 1 : 0, scratch)
            return
        }
        context.applyThreadCount()
        let key = Key(rows: rows.count, tokens: tokens, threadCount: context.threadCount, output: outputType)
        let plan = try plans.plan(for: key) {
            try HeadBlockPlan(rows: key.rows, tokens: tokens, heads: heads, headDim: headDim, scale: scale,
                              output: outputType, engine: engine)
        }
        let sequenceRows = packed + sequence * tokens * 3 * hidden
        let query = sequenceRows + rows.lowerBound * 3 * hidden + head * headDim
        let keys = sequenceRows + hidden + head * headDim, value = sequenceRows + 2 * hidden + head * headDim
        let target = output + ((sequence * tokens + rows.lowerBound) * hidden + head * headDim) * outputType.byteCount
        func memory(_ layout: dnnl_memory_desc_t, _ pointer: UnsafeRawPointer) throws -> OneDNNMemory {
            try OneDNNMemory(layout, engine: engine, pointer: UnsafeMutableRawPointer(mutating: pointer))
        }
        let scores = try memory(plan.scores, context.blockScores.reserve(MemoryDescriptor.byteSize(plan.scores)))
        let probabilities = try memory(plan.probabilities,
                                       context.blockProbabilities.reserve(MemoryDescriptor.byteSize(plan.probabilities)))
        let steps: [(OneDNNPrimitive, [(Int32, OneDNNMemory)])] = [
            (plan.scoresMatmul, [(DNNL_ARG_SRC, try memory(plan.queries, query)), (DNNL_ARG_WEIGHTS, try memory(plan.keys, keys)),
                                 (DNNL_ARG_DST, scores)]),
            (plan.softmax, [(DNNL_ARG_SRC, scores), (DNNL_ARG_DST, probabilities)]),
            (plan.valuesMatmul, [(DNNL_ARG_SRC, probabilities), (DNNL_ARG_WEIGHTS, try memory(plan.values, value)),
                                 (DNNL_ARG_DST, try memory(plan.output, target))]),
        ]
        try context.run(steps, scratchpad: plan.scratchpad, bytes: plan.scratchpadBytes, "running a bf16 attention block")
    }
}
