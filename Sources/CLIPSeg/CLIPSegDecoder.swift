import TensorKit

/// The CLIPSeg decoder (`CLIPSegDecoder`), batched over prompts.
///
/// Step `k` (0-based) reduces the activation of `extract_layers[n-1-k]` (deepest first), adds it to
/// the running state, applies FiLM when `k == conditional_layer`, then decoder layer `k`. Until FiLM
/// the state does not depend on the prompt, so it is computed once and only then fanned out to
/// `[prompts, tokens, reduce]`. Finally the class token is dropped and the grid upsampled.
struct CLIPSegDecoder: Sendable {
    let reduces: [DenseLayer]
    let layers: [DecoderLayer]
    let film: FiLM
    let conditionalLayer: Int
    let upsampler: DecoderUpsampler
    let reduceDim: Int
    let projectionDim: Int

    init(tensors: CheckpointTensors, configuration c: CLIPSegConfiguration) throws {
        let n = c.extractLayers.count
        reduces = try (0..<n).map { i in
            DenseLayer(pytorchWeight: try tensors.take("decoder.reduces[\(i)].weight"),
                       bias: try tensors.take("decoder.reduces[\(i)].bias"),
                       inputSize: c.vision.hiddenSize, outputSize: c.reduceDim)
        }
        layers = try (0..<n).map { i in
            try DecoderLayer(tensors: tensors, prefix: "decoder.layers[\(i)]", hidden: c.reduceDim,
                             heads: c.decoderAttentionHeadCount, intermediate: c.decoderIntermediateSize,
                             epsilon: c.vision.layerNormEpsilon)
        }
        film = try FiLM(tensors: tensors, projectionDim: c.projectionDim, reduceDim: c.reduceDim)
        conditionalLayer = c.conditionalLayer
        upsampler = try DecoderUpsampler(tensors: tensors, configuration: c)
        reduceDim = c.reduceDim
        projectionDim = c.projectionDim
    }

    /// Decoder output before upsampling: `[prompts, gridHeight, gridWidth, reduce]` (channels-last,
    /// class token removed) for `conditionals` `[prompts, projection_dim]`.
    func features(_ vision: VisionFeatures, conditionals: Tensor, workspace: InferenceWorkspace) throws -> Tensor {
        let grid = try gridFeatures(vision, conditionals: conditionals, workspace: workspace)
        let prompts = conditionals.shape[0], count = prompts * (vision.tokens - 1) * reduceDim
        return Tensor(shape: [prompts, vision.gridHeight, vision.gridWidth, reduceDim],
                      data: Array(UnsafeBufferPointer(start: grid, count: count)))
    }

    /// Segmentation logits `[prompts, O, O]`.
    func logits(_ vision: VisionFeatures, conditionals: Tensor, workspace: InferenceWorkspace) throws -> Tensor {
        let grid = try gridFeatures(vision, conditionals: conditionals, workspace: workspace)
        return upsampler.apply(grid, batch: conditionals.shape[0], height: vision.gridHeight, width: vision.gridWidth,
                               workspace: workspace)
    }

    /// `features` in the workspace's `decoderGrid` buffer (valid until the workspace's next use).
    private func gridFeatures(_ vision: VisionFeatures, conditionals: Tensor,
                              workspace: InferenceWorkspace) throws -> UnsafeMutablePointer<Float> {
        guard vision.activations.count == reduces.count else {
            throw CLIPSegError.invalidInput("decoder needs \(reduces.count) activations, got \(vision.activations.count)")
        }
        guard conditionals.shape.count == 2, conditionals.shape[1] == projectionDim, conditionals.shape[0] > 0 else {
            throw CLIPSegError.invalidInput("conditional embeddings have shape \(conditionals.shape), expected [prompts, \(projectionDim)]")
        }
        let tokens = vision.tokens, r = reduceDim, prompts = conditionals.shape[0]
        for activation in vision.activations where activation.shape != [tokens, reduces[0].inputSize] {
            throw CLIPSegError.invalidInput("activation has shape \(activation.shape), expected [\(tokens), \(reduces[0].inputSize)]")
        }
        let single = tokens * r
        let shared = workspace.decoderShared.reserve(single)
        let reduced = workspace.decoderReduced.reserve(single)
        let state = workspace.decoderState.reserve(prompts * single)  // [prompts, tokens, r] once FiLM has applied
        var modulated = false
        for k in 0..<reduces.count {
            let target = k == 0 ? shared : reduced
            vision.activations[reduces.count - 1 - k].data.withUnsafeBufferPointer { a in
                reduces[k].apply(a.baseAddress!, rows: tokens, into: target, workspace: workspace)
            }
            if k > 0 {
                if modulated {
                    for p in 0..<prompts { let s = state + p * single; for i in 0..<single { s[i] += reduced[i] } }
                } else {
                    for i in 0..<single { shared[i] = reduced[i] + shared[i] }
                }
            }
            if k == conditionalLayer {
                film.apply(shared: shared, tokens: tokens, conditionals: conditionals, into: state)
                modulated = true
            }
            try layers[k].apply(modulated ? state : shared, batch: modulated ? prompts : 1, tokens: tokens, workspace: workspace)
        }
        if !modulated {  // conditional_layer beyond the last step: FiLM never applies (as in transformers)
            for p in 0..<prompts { (state + p * single).update(from: shared, count: single) }
        }
        // Drop the class token of every prompt.
        let gridCount = (tokens - 1) * r
        let grid = workspace.decoderGrid.reserve(prompts * gridCount)
        for p in 0..<prompts { (grid + p * gridCount).update(from: state + p * single + r, count: gridCount) }
        return grid
    }
}
