import ReducedPrecision
import TensorKit

/// Self-attention's two products for one encoder layer (12 heads of 64): float32 sgemm per
/// head (as TensorKit's `ScaledDotProductAttention` calls them) against bf16 batched oneDNN
/// matmuls; TensorKit's whole float32 attention (products and softmax); the whole bf16 attention by
/// head blocks (oneDNN primitives, fused kernel; one thread); and the float32 softmax alone
/// (TensorKit's loop, oneDNN's JIT kernel).
enum AttentionMethod {
    static let heads = 12, headDim = 64

    /// FLOPs of `Q Kᵀ` and `P V` over all heads.
    static func flops(tokens: Int) -> Double { 2 * 2 * Double(heads * tokens * tokens * headDim) }

    static func all(tokens: Int, context: ReducedPrecisionContext) throws -> [GEMMMethod] {
        let hidden = heads * headDim, width = 3 * hidden
        var generator = SystemRandomNumberGenerator()
        let packed = UnsafeMutableBufferPointer<Float>.allocate(capacity: tokens * width)
        for i in packed.indices { packed[i] = Float.random(in: -2...2, using: &generator) }
        let rows = packed.baseAddress!
        let output = UnsafeMutablePointer<Float>.allocate(capacity: tokens * hidden)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: heads * tokens * tokens)
        scores.initialize(repeating: 1 / Float(tokens), count: heads * tokens * tokens)
        var methods = [GEMMMethod(name: "fp32 per-head sgemm") {
            for head in 0..<heads {
                let block = scores + head * tokens * tokens
                MatrixMultiply.gemm(rows + head * headDim, rows + hidden + head * headDim, into: block,
                                    m: tokens, n: tokens, k: headDim, transposeB: true, lda: width, ldb: width,
                                    ldc: tokens, alpha: 0.125)
                MatrixMultiply.gemm(block, rows + 2 * hidden + head * headDim, into: output + head * headDim,
                                    m: tokens, n: headDim, k: tokens, lda: tokens, ldb: width, ldc: hidden)
            }
        }]
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: ScaledDotProductAttention.scratchCount(tokens: tokens))
        methods.append(GEMMMethod(name: "fp32 attention") {
            // The whole of it as the model runs it (the AVX-512 kernel where available): products and softmax.
            ScaledDotProductAttention.apply(packed: rows, batch: 1, tokens: tokens, heads: heads, headDim: headDim,
                                            scale: 0.125, causal: false, into: output, scores: scratch)
        })
        if ReducedPrecisionFormat.bf16.isAvailable {
            let products = try BF16AttentionProducts(heads: heads, headDim: headDim, scale: 0.125)
            methods.append(GEMMMethod(name: "bf16 batched") {
                try products.scores(packed: rows, batch: 1, tokens: tokens, into: scores, context: context)
                try products.weightedValues(probabilities: scores, packed: rows, batch: 1, tokens: tokens,
                                            into: output, context: context)
            })
            // The whole bf16 attention (products and softmax) block by block as the model runs it, on one
            // thread: oneDNN's three primitives per block, and the fused AVX512-BF16 kernel where there is one.
            let bits = UnsafeMutablePointer<UInt16>.allocate(capacity: tokens * width)
            for i in 0..<(tokens * width) { bits[i] = UInt16(packed[i].bitPattern >> 16) }
            let single = try ReducedPrecisionContext(threadCount: 1)
            for fused in [false, true] {
                let blocks = try HeadBlockAttention(heads: heads, headDim: headDim, scale: 0.125, allowsFusedKernel: fused)
                guard blocks.usesFusedKernel == fused else { continue }
                let work = blocks.blocks(batch: 1, tokens: tokens)
                methods.append(GEMMMethod(name: fused ? "bf16 fused blocks" : "bf16 oneDNN blocks") {
                    for block in work {
                        try blocks.apply(packedBF16: bits, tokens: tokens, sequence: 0, head: block.head, rows: block.rows,
                                         into: UnsafeMutableRawPointer(output), outputType: .float32, context: single)
                    }
                })
            }
        }
        methods.append(GEMMMethod(name: "TensorKit softmax") {
            Softmax.apply(scores, rows: heads * tokens, columns: tokens)
        })
        let softmax = try OneDNNSoftmax()
        methods.append(GEMMMethod(name: "oneDNN softmax") {
            try softmax.apply(scores, rows: heads * tokens, columns: tokens, context: context)
        })
        return methods
    }
}
