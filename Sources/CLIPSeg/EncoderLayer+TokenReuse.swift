import Foundation
import TensorKit

extension EncoderLayer {
    /// One vision layer with token reuse: recomputes the rows `active` (sorted, distinct, the class token
    /// 0 first) of the residual stream `x` (`[tokens, hidden]`, updated in place) and moves every other
    /// row by its cached layer update.
    ///
    /// The active rows are gathered and go through layer norm, the fused query/key/value projection, the
    /// output projection and the MLP as a `[active, hidden]` block; their keys and values replace the
    /// cached ones, and their queries attend to every token's (cached or new) keys and values. A row
    /// left out keeps the update it got when last computed: `x ← x + (output − reference)`, or exactly
    /// the cached output where `x` equals its reference. With every row active this is the plain layer
    /// (float32: bit-identical to `apply`), and the cache is filled.
    ///
    /// Reduced-precision layers run their linear layers in bf16/int8 as usual; the attention products
    /// then run in float32 (queries already scaled by a bf16 projection). Their blocks are padded to a
    /// multiple of `reducedRowGranule` rows (copies of the class token, results dropped): oneDNN compiles
    /// a kernel per row count, and a handful of counts keeps that to the first frames.
    func apply(_ x: UnsafeMutablePointer<Float>, tokens: Int, active: [Int], cache: TokenReuseLayerCache,
               workspace: InferenceWorkspace) throws {
        let hidden = cache.hidden, everyRow = active.count == tokens
        precondition(cache.tokens == tokens && !active.isEmpty && active[0] == 0, "token reuse: bad active rows")
        let granule = attention.projection.isFloat32 ? 1 : Self.reducedRowGranule
        let rows = everyRow ? tokens : min(tokens, (active.count + granule - 1) / granule * granule)
        let block = workspace.reuseRows.reserve(rows * hidden)
        for (index, row) in active.enumerated() {
            (block + index * hidden).update(from: x + row * hidden, count: hidden)
            (cache.reference + row * hidden).update(from: x + row * hidden, count: hidden)
        }
        for index in active.count..<rows { (block + index * hidden).update(from: x, count: hidden) }
        try applyAttention(block, rows: rows, tokens: tokens, active: active, everyRow: everyRow, cache: cache,
                           workspace: workspace)
        let normalized = workspace.normalized.reserve(rows * hidden)
        layerNorm2.apply(block, rows: rows, into: normalized, workspace: workspace)
        try mlp.apply(normalized, rows: rows, addingInto: block, workspace: workspace)
        moveInactiveRows(x, tokens: tokens, active: active, cache: cache)
        for (index, row) in active.enumerated() {
            (x + row * hidden).update(from: block + index * hidden, count: hidden)
            (cache.output + row * hidden).update(from: block + index * hidden, count: hidden)
        }
    }

    /// Rows a reduced-precision block is padded to a multiple of.
    static let reducedRowGranule = 32

    /// `block += out_proj(attention(LN1(block)))` for the active rows, keys and values cached on the way.
    private func applyAttention(_ block: UnsafeMutablePointer<Float>, rows: Int, tokens: Int, active: [Int],
                                everyRow: Bool, cache: TokenReuseLayerCache, workspace: InferenceWorkspace) throws {
        let hidden = cache.hidden, heads = attention.heads, headDim = attention.headDim
        let normalized = workspace.normalized.reserve(rows * hidden)
        layerNorm1.apply(block, rows: rows, into: normalized, workspace: workspace)
        let packed = workspace.packed.reserve(rows * 3 * hidden)
        try attention.projection.apply(normalized, rows: rows, into: packed, workspace: workspace)
        for (index, row) in active.enumerated() {
            (cache.keysValues + row * 2 * hidden).update(from: packed + index * 3 * hidden + hidden, count: 2 * hidden)
        }
        // A bf16 projection has scaled the queries already (see `SelfAttention.converted`).
        let scale: Float = attention.reducedProducts == nil ? attention.scale : 1
        let attended = workspace.attended.reserve(rows * hidden)
        let chunks = min(workspace.attentionChunks, heads)
        if everyRow {
            let slot = ScaledDotProductAttention.scratchCount(tokens: tokens)
            let scores = workspace.scores.reserve(chunks * slot)
            ParallelLoop.run(chunks: chunks, threads: workspace.threads) { chunk in
                ScaledDotProductAttention.apply(packed: packed, batch: 1, tokens: tokens, heads: heads, headDim: headDim,
                                                scale: scale, causal: false, into: attended, scores: scores + chunk * slot,
                                                headRange: ParallelLoop.piece(chunk, of: chunks, 0..<heads))
            }
        } else {
            let slot = ScaledDotProductAttention.scratchCount(queryCount: rows, keyCount: tokens)
            let scores = workspace.scores.reserve(chunks * slot)
            let keysValues = UnsafePointer(cache.keysValues)
            ParallelLoop.run(chunks: chunks, threads: workspace.threads) { chunk in
                ScaledDotProductAttention.apply(queries: packed, queryCount: rows, queryStride: 3 * hidden,
                                                keys: keysValues, values: keysValues + hidden, keyCount: tokens,
                                                keyStride: 2 * hidden, heads: heads, headDim: headDim, scale: scale,
                                                into: attended, outputStride: hidden, scores: scores + chunk * slot,
                                                headRange: ParallelLoop.piece(chunk, of: chunks, 0..<heads))
            }
        }
        try attention.output.apply(attended, rows: rows, into: block, accumulate: true, workspace: workspace)
    }

    /// `x ← x + (output − reference)` for every row not in `active` (exactly `output` where `x` equals
    /// `reference`, so an unchanged token's output is the cached one bit for bit).
    private func moveInactiveRows(_ x: UnsafeMutablePointer<Float>, tokens: Int, active: [Int],
                                  cache: TokenReuseLayerCache) {
        let hidden = cache.hidden
        var next = 0
        for row in 0..<tokens {
            if next < active.count && active[next] == row {
                next += 1
                continue
            }
            let line = x + row * hidden, reference = cache.reference + row * hidden, output = cache.output + row * hidden
            if memcmp(line, reference, hidden * MemoryLayout<Float>.size) == 0 {
                line.update(from: output, count: hidden)
            } else {
                for j in 0..<hidden { line[j] += output[j] - reference[j] }
            }
        }
    }
}
