import ReducedPrecision

/// Scratch memory for the model's forward passes, reused across calls to avoid per-frame
/// allocations, and the number of threads a pass may use. Buffers only grow. Not thread-safe: give
/// each thread (or each concurrent call) its own workspace; the model's weights themselves are shared
/// and immutable.
public final class InferenceWorkspace {
    /// One growable buffer of `Element`s (float32, or bf16 bit patterns as `UInt16`), owned by the workspace.
    final class TypedBuffer<Element> {
        private(set) var pointer: UnsafeMutablePointer<Element>
        private(set) var capacity = 0

        init() { pointer = .allocate(capacity: 1) }
        deinit { pointer.deallocate() }

        /// At least `count` elements (contents unspecified).
        func reserve(_ count: Int) -> UnsafeMutablePointer<Element> {
            if count > capacity {
                pointer.deallocate()
                pointer = .allocate(capacity: max(count, 1))
                capacity = count
            }
            return pointer
        }
    }

    typealias Buffer = TypedBuffer<Float>

    /// Layer-norm output `[rows, hidden]`.
    let normalized = Buffer()
    /// Fused query|key|value projections `[rows, 3 · hidden]`.
    let packed = Buffer()
    /// Attention heads' outputs `[rows, hidden]`.
    let attended = Buffer()
    /// `parallelChunks` slots, each one head's `[tokens, tokens]` scores and their softmax denominators.
    let scores = Buffer()
    /// MLP hidden layer `[rows, intermediate]`.
    let intermediate = Buffer()
    /// im2col / col2im scratch of the convolutions.
    let columns = Buffer()
    /// The vision tower's residual stream `[tokens, hidden]`.
    let residual = Buffer()
    /// Token reuse: the rows of the residual stream a layer recomputes, gathered `[rows, hidden]`.
    let reuseRows = Buffer()
    /// Decoder: prompt-independent state before FiLM `[tokens, reduce]`, one reduced activation
    /// `[tokens, reduce]`, the per-prompt state `[prompts, tokens, reduce]` and the token grid without
    /// class tokens `[prompts, grid, grid, reduce]`.
    let decoderShared = Buffer()
    let decoderReduced = Buffer()
    let decoderState = Buffer()
    let decoderGrid = Buffer()
    /// bf16 activations handed from one bf16 operation to the next (reduced-precision vision layers):
    /// layer-norm output `[rows, hidden]`, fused query|key|value projections `[rows, 3 · hidden]`,
    /// heads' outputs `[rows, hidden]`, MLP hidden layer `[rows, intermediate]`.
    let normalizedBF16 = TypedBuffer<UInt16>()
    let packedBF16 = TypedBuffer<UInt16>()
    let attendedBF16 = TypedBuffer<UInt16>()
    let intermediateBF16 = TypedBuffer<UInt16>()
    /// Upsampler intermediates (channels-last images).
    let upsampled = Buffer()
    let upsampledMore = Buffer()

    /// Threads one forward pass may use (at least 1). With more than one, every encoder and decoder
    /// layer splits its GEMMs by output columns (96-column pieces handed out dynamically with packed
    /// weights; one piece per thread with the BLAS layout), its attention by heads (`attentionChunks` pieces)
    /// and its layer norms by rows, run by `ParallelLoop`; OpenBLAS should then run single-threaded
    /// (`MatrixMultiply.threadCount = 1`, process-wide). With 1 (the default) a pass runs on the
    /// calling thread and OpenBLAS's own threads, if any, parallelise each GEMM instead.
    public let threads: Int

    /// How many pieces the attention heads are cut into: twice the threads, so a pre-empted thread's
    /// share can be taken over (per-head work repacks nothing); 1 when single-threaded.
    var attentionChunks: Int { threads > 1 ? 2 * threads : 1 }

    public init(threads: Int = 1) {
        self.threads = max(1, threads)
    }

    /// oneDNN's per-thread state for a model whose vision layers run in reduced precision (created
    /// on first use, `threads` OpenMP threads).
    private var reducedContext: ReducedPrecisionContext?

    func reducedPrecisionContext() throws -> ReducedPrecisionContext {
        if let reducedContext { return reducedContext }
        let context = try ReducedPrecisionContext(threadCount: threads)
        reducedContext = context
        return context
    }

    /// `threads` single-thread oneDNN contexts, one per `ParallelLoop` chunk, for work that a pass
    /// splits over threads itself (created on first use).
    private var singleThreadContexts: [ReducedPrecisionContext] = []

    func reducedPrecisionContextPerThread() throws -> [ReducedPrecisionContext] {
        if singleThreadContexts.isEmpty {
            singleThreadContexts = try (0..<threads).map { _ in try ReducedPrecisionContext(threadCount: 1) }
        }
        return singleThreadContexts
    }
}
