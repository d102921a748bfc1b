import ReducedPrecision
import TensorKit

/// Bytes one `InferenceWorkspace` grows to, buffer by buffer, for the passes run on it: the same sizes
/// its callers `reserve` (`SelfAttention`, `FeedForward`, `VisionEncoder`, `CLIPSegDecoder`,
/// `DecoderUpsampler`, the reduced-precision contexts). A workspace's buffers only grow, so a workspace
/// that runs several passes holds each buffer at the largest any of them asked for (`merge`); two
/// workspaces hold theirs side by side (`total` of each).
///
/// The one buffer that grows with the square of the tokens is the attention scores: each of a pass's
/// attention pieces (`min(2 · threads, heads)`, 1 single-threaded) owns one `[tokens, tokens]` score matrix
/// plus its row sums (`ScaledDotProductAttention.scratchCount`). At `--size 2048` with patch 8 that is
/// 65,537 tokens, 17 GB a piece.
struct WorkspaceMemory: Sendable, Equatable {
    /// The workspace's buffers (and the per-thread scratch of its oneDNN contexts).
    enum Buffer: Int, CaseIterable, Sendable {
        case normalized, packed, attended, scores, intermediate, columns, residual
        case decoderShared, decoderReduced, decoderState, decoderGrid, upsampled, upsampledMore
        case normalizedBF16, packedBF16, attendedBF16, intermediateBF16
        /// `ReducedPrecisionContext`: activations converted for oneDNN and its staged output.
        case reducedContext
        /// One single-thread context per thread for bf16 attention blocks (scores, probabilities, packed keys).
        case headBlocks
        /// The vision tower's position table for a new grid, cached in the model, and its resize.
        case positionTable
    }

    /// Bytes per buffer, indexed by `Buffer.rawValue`.
    private(set) var bytes = [Int](repeating: 0, count: Buffer.allCases.count)

    /// All buffers together (bytes).
    var total: Int { bytes.reduce(0, +) }

    subscript(_ buffer: Buffer) -> Int {
        get { bytes[buffer.rawValue] }
        set { bytes[buffer.rawValue] = max(bytes[buffer.rawValue], newValue) }
    }

    /// The same workspace after also running `other`'s passes: each buffer at the larger size.
    func merged(with other: WorkspaceMemory) -> WorkspaceMemory {
        var result = self
        for buffer in Buffer.allCases { result[buffer] = other[buffer] }
        return result
    }

    /// Attention pieces of one pass (`InferenceWorkspace.attentionChunks`, at most one per head).
    static func attentionPieces(threads: Int, heads: Int) -> Int {
        min(threads > 1 ? 2 * threads : 1, max(1, heads))
    }

    /// One encoder pass: `rows` rows of `batch` sequences (`tokens` each) through layers of width `hidden`.
    private mutating func encoderLayers(batch: Int, tokens: Int, hidden: Int, heads: Int, intermediate: Int, threads: Int) {
        let rows = batch * tokens
        self[.normalized] = 4 * rows * hidden
        self[.packed] = 4 * rows * 3 * hidden
        self[.attended] = 4 * rows * hidden
        self[.intermediate] = 4 * rows * intermediate
        self[.scores] = 4 * Self.attentionPieces(threads: threads, heads: heads)
            * ScaledDotProductAttention.scratchCount(tokens: tokens)
    }

    /// The vision tower on one `side × side` image (`tokens = 1 + (side / patch)²`), its linear layers in
    /// `precision`; `bf16Products`: whether the CPU runs the attention products in bf16 (then by blocks of
    /// query rows per thread instead of whole score matrices).
    static func vision(_ c: CLIPSegConfiguration, side: Int, threads: Int, precision: ReducedPrecisionFormat?,
                       bf16Products: Bool) -> WorkspaceMemory {
        let v = c.vision, grid = side / v.patchSize, tokens = 1 + grid * grid
        let h = v.hiddenSize, i = v.intermediateSize
        var memory = WorkspaceMemory()
        memory.encoderLayers(batch: 1, tokens: tokens, hidden: h, heads: v.attentionHeadCount, intermediate: i,
                             threads: threads)
        memory[.residual] = 4 * tokens * h
        memory[.columns] = 4 * grid * grid * v.channelCount * v.patchSize * v.patchSize
        memory[.positionTable] = 2 * 4 * tokens * h
        if precision != nil {
            if bf16Products {
                // The float32 scores are never reserved; each thread's blocks of at most 256 query rows are.
                memory.bytes[Buffer.scores.rawValue] = 0
                let rows = min(tokens, HeadBlockAttention.largestBlock)
                memory[.headBlocks] = threads * (6 * rows * tokens + 4 * tokens * v.headDim + (1 << 16))
            }
            memory[.normalizedBF16] = 2 * tokens * h
            memory[.packedBF16] = 2 * tokens * 3 * h
            memory[.attendedBF16] = 2 * tokens * h
            memory[.intermediateBF16] = 2 * tokens * i
            memory[.reducedContext] = 2 * tokens * max(h, i) + 4 * tokens * max(3 * h, i)
        }
        return memory
    }

    /// The text tower on `prompts` prompts of at most `max_position_embeddings` tokens each.
    static func text(_ c: CLIPSegConfiguration, prompts: Int, threads: Int) -> WorkspaceMemory {
        let t = c.text
        var memory = WorkspaceMemory()
        memory.encoderLayers(batch: max(1, prompts), tokens: t.maxPositionEmbeddings, hidden: t.hiddenSize,
                             heads: t.attentionHeadCount, intermediate: t.intermediateSize, threads: threads)
        memory[.residual] = 4 * max(1, prompts) * t.maxPositionEmbeddings * t.hiddenSize
        return memory
    }

    /// The decoder on a `grid × grid` token grid for `prompts` prompts, up to (not including) its logits.
    static func decoder(_ c: CLIPSegConfiguration, grid: Int, prompts: Int, threads: Int) -> WorkspaceMemory {
        let tokens = 1 + grid * grid, r = c.reduceDim, p = max(1, prompts)
        var memory = WorkspaceMemory()
        memory[.decoderShared] = 4 * tokens * r
        memory[.decoderReduced] = 4 * tokens * r
        memory[.decoderState] = 4 * p * tokens * r
        memory[.decoderGrid] = 4 * p * (tokens - 1) * r
        memory.encoderLayers(batch: p, tokens: tokens, hidden: r, heads: c.decoderAttentionHeadCount,
                             intermediate: c.decoderIntermediateSize, threads: threads)
        let patch = c.vision.patchSize, cells = p * grid * grid
        if c.useComplexTransposedConvolution {
            let k = patch / 4, middle = cells * k * k
            memory[.upsampled] = 4 * cells * r
            memory[.upsampledMore] = 4 * middle * (r / 2)
            memory[.columns] = 4 * max(cells * 9 * r, cells * k * k * (r / 2), middle * k * k)
        } else {
            memory[.columns] = 4 * cells * patch * patch
        }
        return memory
    }
}
