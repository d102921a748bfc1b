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
        var shared = [Float](repeating: 0, count: tokens * r)
        var state = [Float]()  // [prompts, tokens, r] once FiLM has applied
        var reduced = [Float](repeating: 0, count: tokens * r)
        for k in 0..<reduces.count {
            let activation = vision.activations[reduces.count - 1 - k]
            activation.data.withUnsafeBufferPointer { a in
                reduced.withUnsafeMutableBufferPointer { out in
                    reduces[k].apply(a.baseAddress!, rows: tokens, into: out.baseAddress!)
                }
            }
            if state.isEmpty {
                if k == 0 { shared = reduced } else { for i in 0..<shared.count { shared[i] = reduced[i] + shared[i] } }
            } else {
                for p in 0..<prompts { for i in 0..<reduced.count { state[p * reduced.count + i] += reduced[i] } }
            }
            if k == conditionalLayer {
                state = [Float](repeating: 0, count: prompts * tokens * r)
                shared.withUnsafeBufferPointer { s in
                    state.withUnsafeMutableBufferPointer { out in
                        film.apply(shared: s.baseAddress!, tokens: tokens, conditionals: conditionals, into: out.baseAddress!)
                    }
                }
            }
            if state.isEmpty {
                shared.withUnsafeMutableBufferPointer { layers[k].apply($0.baseAddress!, batch: 1, tokens: tokens, workspace: workspace) }
            } else {
                state.withUnsafeMutableBufferPointer { layers[k].apply($0.baseAddress!, batch: prompts, tokens: tokens, workspace: workspace) }
            }
        }
        if state.isEmpty {  // conditional_layer beyond the last step: FiLM never applies (as in transformers)
            state = (0..<prompts).flatMap { _ in shared }
        }
        // Drop the class token of every prompt.
        var grid = [Float](repeating: 0, count: prompts * (tokens - 1) * r)
        for p in 0..<prompts {
            let source = (p * tokens + 1) * r, target = p * (tokens - 1) * r
            grid.replaceSubrange(target..<(target + (tokens - 1) * r), with: state[source..<(source + (tokens - 1) * r)])
        }
        return Tensor(shape: [prompts, vision.gridHeight, vision.gridWidth, r], data: grid)
    }

    /// Segmentation logits `[prompts, O, O]`.
    func logits(_ vision: VisionFeatures, conditionals: Tensor, workspace: InferenceWorkspace) throws -> Tensor {
        upsampler.apply(try features(vision, conditionals: conditionals, workspace: workspace), workspace: workspace)
    }
}
