import Foundation
import ReducedPrecision
import TensorKit

/// Multi-head attention's middle for reduced-precision models, in bf16: for every head and block of
/// query rows (`HeadBlockAttention`), `scores = scale · Q Kᵀ` (float32 sums; `SelfAttention` passes
/// scale 1 and has its projection scale the queries before rounding them), a row softmax to bf16
/// probabilities, then `P V`. Reads the packed bf16 `[batch · tokens, 3 · hidden]` projections
/// (`query | key | value`, as a reduced `LinearProjection` writes them with a `.bf16` output) in place
/// and writes the heads' outputs side by side, `[batch · tokens, hidden]`, float32 or bf16. The
/// blocks are shared out over the workspace's threads (`ParallelLoop`, each thread taking the next
/// block when done, with its own single-thread oneDNN context), so a block's scores stay in its
/// core's cache. No causal mask (the vision tower only).
///
/// Immutable and shareable (oneDNN primitives are cached inside, per shape and thread count).
struct ReducedAttentionProducts: Sendable {
    let blocks: HeadBlockAttention

    init(heads: Int, headDim: Int, scale: Float) throws {
        blocks = try HeadBlockAttention(heads: heads, headDim: headDim, scale: scale)
    }

    /// `output` holds `[batch · tokens, hidden]` elements of `outputType`.
    func apply(packedBF16 packed: UnsafePointer<UInt16>, batch: Int, tokens: Int, into output: UnsafeMutableRawPointer,
               outputType: ActivationType, workspace: InferenceWorkspace) throws {
        let contexts = try workspace.reducedPrecisionContextPerThread()
        let work = blocks.blocks(batch: batch, tokens: tokens)
        let queue = BlockQueue(count: work.count)
        var failures = [Error?](repeating: nil, count: contexts.count)
        failures.withUnsafeMutableBufferPointer { failures in
            ParallelLoop.run(chunks: contexts.count, threads: contexts.count) { chunk in
                do {
                    while let index = queue.next() {
                        let block = work[index]
                        try blocks.apply(packedBF16: packed, tokens: tokens, sequence: block.sequence, head: block.head,
                                         rows: block.rows, into: output, outputType: outputType,
                                         context: contexts[chunk])
                    }
                } catch {
                    failures[chunk] = error
                    queue.stop()
                }
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
    }
}

/// Hands out block indices `0..<count` one at a time to whichever thread asks next.
private final class BlockQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var taken = 0
    private let count: Int

    init(count: Int) { self.count = count }

    /// The next index, or nil when every block was handed out (or `stop` was called).
    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard taken < count else { return nil }
        taken += 1
        return taken - 1
    }

    /// No more indices after this (a block failed).
    func stop() {
        lock.lock()
        taken = count
        lock.unlock()
    }
}
