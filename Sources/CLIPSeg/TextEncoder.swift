import TensorKit

/// The CLIP text tower plus `text_projection`: token ids → one conditional embedding per prompt.
///
/// Prompts of different lengths run as one batch padded at the end. The attention is causal and
/// the pooled token is the end token (or the argmax id), so padding never reaches a pooled row.
struct TextEncoder: Sendable {
    let configuration: TextConfiguration
    /// `[vocab, hidden]`.
    let tokenEmbedding: [Float]
    /// `[maxPositions, hidden]`.
    let positionEmbedding: [Float]
    let layers: [EncoderLayer]
    let finalLayerNorm: LayerNorm
    /// `text_projection`, hidden → projection_dim, no bias.
    let projection: DenseLayer

    init(tensors: CheckpointTensors, configuration c: CLIPSegConfiguration) throws {
        let t = c.text
        configuration = t
        tokenEmbedding = try tensors.take("text.tokenEmbedding")
        positionEmbedding = try tensors.take("text.positionEmbedding")
        layers = try (0..<t.layerCount).map { i in
            try EncoderLayer(tensors: tensors, prefix: "text.layers[\(i)]", hidden: t.hiddenSize,
                             heads: t.attentionHeadCount, intermediate: t.intermediateSize,
                             activation: t.activation, epsilon: t.layerNormEpsilon)
        }
        finalLayerNorm = try LayerNorm(tensors: tensors, prefix: "text.finalLayerNorm", epsilon: t.layerNormEpsilon)
        projection = DenseLayer(pytorchWeight: try tensors.take("text.projection.weight"), bias: nil,
                                inputSize: t.hiddenSize, outputSize: c.projectionDim)
    }

    /// The position transformers pools for one prompt: the first largest id when
    /// `eos_token_id == 2` (legacy configs), else the first occurrence of `eos_token_id`
    /// (position 0 when absent, as `argmax` of an all-zero mask gives).
    func pooledPosition(of ids: [Int32]) -> Int {
        if configuration.eosTokenID == 2 {
            var best = 0
            for (i, id) in ids.enumerated() where id > ids[best] { best = i }
            return best
        }
        guard let eos = configuration.eosTokenID else { return 0 }
        return ids.firstIndex(of: Int32(truncatingIfNeeded: eos)) ?? 0
    }

    /// Checks ids against the vocabulary and the position table.
    func validate(_ prompts: [[Int32]]) throws {
        guard !prompts.isEmpty else { throw CLIPSegError.invalidInput("no prompts to embed") }
        for (p, ids) in prompts.enumerated() {
            guard !ids.isEmpty else { throw CLIPSegError.invalidInput("prompt \(p) has no token ids") }
            guard ids.count <= configuration.maxPositionEmbeddings else {
                throw CLIPSegError.invalidInput(
                    "prompt \(p) has \(ids.count) tokens, more than max_position_embeddings \(configuration.maxPositionEmbeddings)")
            }
            if let bad = ids.first(where: { $0 < 0 || Int($0) >= configuration.vocabSize }) {
                throw CLIPSegError.invalidInput("prompt \(p) has token id \(bad) outside the vocabulary of \(configuration.vocabSize)")
            }
        }
    }

    /// Pooled, final-layer-normed states `[prompts, hidden]` (before the projection).
    func pooledStates(_ prompts: [[Int32]], workspace: InferenceWorkspace) throws -> Tensor {
        try validate(prompts)
        let hidden = configuration.hiddenSize
        let batch = prompts.count
        let length = prompts.map(\.count).max() ?? 0
        var x = [Float](repeating: 0, count: batch * length * hidden)
        try x.withUnsafeMutableBufferPointer { xb in
            let x = xb.baseAddress!
            for (p, ids) in prompts.enumerated() {
                for position in 0..<length {
                    // Padding repeats the last id; causal attention keeps it away from pooled rows.
                    let id = Int(ids[min(position, ids.count - 1)])
                    let row = x + (p * length + position) * hidden
                    for j in 0..<hidden {
                        row[j] = tokenEmbedding[id * hidden + j] + positionEmbedding[position * hidden + j]
                    }
                }
            }
            for layer in layers {
                try layer.apply(x, batch: batch, tokens: length, causal: true, workspace: workspace)
            }
        }
        var pooled = Tensor(shape: [batch, hidden])
        x.withUnsafeBufferPointer { xb in
            pooled.data.withUnsafeMutableBufferPointer { out in
                for (p, ids) in prompts.enumerated() {
                    let row = xb.baseAddress! + (p * length + pooledPosition(of: ids)) * hidden
                    finalLayerNorm.apply(row, rows: 1, into: out.baseAddress! + p * hidden)
                }
            }
        }
        return pooled
    }

    /// Conditional embeddings `[prompts, projection_dim]`.
    func embed(_ prompts: [[Int32]], workspace: InferenceWorkspace) throws -> Tensor {
        projection(try pooledStates(prompts, workspace: workspace))
    }
}
