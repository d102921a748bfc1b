import CDNNL

/// Per-thread execution state for `PackedLinearLayer`: a oneDNN stream, the number of OpenMP
/// threads oneDNN may use, and scratch buffers that grow to the largest call and are reused
/// (activations converted to bf16/u8, staged output, oneDNN's scratchpad) — no allocation per
/// call once warm.
///
/// Not `Sendable`: give every thread that runs layers its own context. Layers themselves are
/// shared freely; two threads may run the same layer at once, each with its own context.
///
/// Threads: Debian's oneDNN runs on OpenMP (libgomp). OpenMP's thread count is a property of
/// the calling thread, so each call sets it to `threadCount` on the thread making the call;
/// OpenBLAS's own thread pool (pthreads) is separate and is set through `MatrixMultiply.threadCount`.
public final class ReducedPrecisionContext {
    /// OpenMP threads oneDNN uses for this context's calls (at least 1).
    public let threadCount: Int

    let engine: OneDNNEngine
    let stream: dnnl_stream_t
    /// Source converted for the matmul: `[rows, in]` bf16 or u8, dense.
    let convertedInput = AlignedScratchBuffer()
    /// Output staged densely when the caller's output rows are strided (`[rows, out]` f32).
    let stagedOutput = AlignedScratchBuffer()
    /// oneDNN's scratchpad (user-managed, so concurrent contexts never share one).
    let scratchpad = AlignedScratchBuffer()
    /// Attention's values copied densely for the values matmul (`[batch, heads, tokens, headDim]` bf16).
    let attentionValues = AlignedScratchBuffer()
    /// Float32 attention operands rounded to bf16: packed rows, probabilities.
    let convertedPacked = AlignedScratchBuffer()
    let convertedProbabilities = AlignedScratchBuffer()
    /// One `HeadBlockAttention` block's scores (`[rows, tokens]` float32) and probabilities (bf16).
    let blockScores = AlignedScratchBuffer()
    let blockProbabilities = AlignedScratchBuffer()

    /// A context whose calls run on `threadCount` OpenMP threads.
    public init(threadCount: Int = 1) throws {
        self.threadCount = max(1, threadCount)
        self.engine = try OneDNNEngine.cpu()
        var stream: dnnl_stream_t?
        try checkDNNL(dnnl_stream_create(&stream, engine.handle, dnnl_stream_default_flags.rawValue), "creating a stream")
        guard let stream else { throw OneDNNError(operation: "creating a stream", status: "no stream") }
        self.stream = stream
    }

    /// Makes OpenMP regions started by the current thread use `threadCount` threads.
    func applyThreadCount() {
        if clipseg_dnnl_get_threads() != threadCount { clipseg_dnnl_set_threads(Int32(threadCount)) }
    }

    /// Runs `primitive` with `arguments` on this context's stream and waits for it.
    func execute(_ primitive: dnnl_primitive_t, _ arguments: [dnnl_exec_arg_t], _ operation: @autoclosure () -> String) throws {
        try arguments.withUnsafeBufferPointer { args in
            try checkDNNL(dnnl_primitive_execute(primitive, stream, Int32(args.count), args.baseAddress), operation())
        }
        try checkDNNL(dnnl_stream_wait(stream), operation())
    }

    deinit { dnnl_stream_destroy(stream) }
}
