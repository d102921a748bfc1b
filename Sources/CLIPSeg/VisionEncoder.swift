import ReducedPrecision
import TensorKit

/// The CLIP vision tower: patch embedding (convolution as one GEMM), class token, position
/// embeddings (interpolated for other grid sizes), pre-layernorm, encoder layers; for image prompts
/// also post-layernorm of the class token and `visual_projection`.
struct VisionEncoder: Sendable {
    let configuration: VisionConfiguration
    /// `Conv2d(3, hidden, patch, stride patch, bias=False)`.
    let patchEmbedding: Convolution2D
    /// `[hidden]`.
    let classEmbedding: [Float]
    let positions: PositionEmbeddingTable
    let preLayerNorm: LayerNorm
    private(set) var layers: [EncoderLayer]
    let postLayerNorm: LayerNorm
    /// `visual_projection`, hidden → projection_dim, no bias.
    let projection: DenseLayer

    init(tensors: CheckpointTensors, configuration c: CLIPSegConfiguration) throws {
        let v = c.vision
        configuration = v
        patchEmbedding = Convolution2D(pytorchWeight: try tensors.take("vision.patchEmbedding.weight"), bias: nil,
                                       inputChannels: v.channelCount, outputChannels: v.hiddenSize,
                                       kernelSize: v.patchSize, stride: v.patchSize)
        classEmbedding = try tensors.take("vision.classEmbedding")
        positions = PositionEmbeddingTable(stored: try tensors.take("vision.positionEmbedding"),
                                           storedSide: v.imageSize / v.patchSize, hidden: v.hiddenSize)
        preLayerNorm = try LayerNorm(tensors: tensors, prefix: "vision.preLayerNorm", epsilon: v.layerNormEpsilon)
        layers = try (0..<v.layerCount).map { i in
            try EncoderLayer(tensors: tensors, prefix: "vision.layers[\(i)]", hidden: v.hiddenSize,
                             heads: v.attentionHeadCount, intermediate: v.intermediateSize,
                             activation: v.activation, epsilon: v.layerNormEpsilon)
        }
        postLayerNorm = try LayerNorm(tensors: tensors, prefix: "vision.postLayerNorm", epsilon: v.layerNormEpsilon)
        projection = DenseLayer(pytorchWeight: try tensors.take("vision.projection.weight"), bias: nil,
                                inputSize: v.hiddenSize, outputSize: c.projectionDim)
    }

    /// The same tower with every encoder layer's linear layers in `format` (≈ 90% of a frame's
    /// arithmetic) and, on CPUs with bf16 matmuls, its attention products in bf16, with bf16
    /// activations handed between them inside each layer; the patch embedding, layer norms, residual
    /// stream and projection stay float32.
    func converted(to format: ReducedPrecisionFormat) throws -> VisionEncoder {
        let side = configuration.imageSize / configuration.patchSize
        var copy = self
        let bf16Products = ReducedPrecisionFormat.bf16.isAvailable
        copy.layers = try layers.map {
            try $0.converted(to: format, typicalRows: 1 + side * side, bf16Products: bf16Products)
        }
        return copy
    }

    /// The result of running the tower.
    struct Run {
        var gridHeight: Int
        var gridWidth: Int
        /// Token embeddings + positions before `pre_layrnorm`, `[tokens, hidden]` (only when asked for).
        var embeddingsBeforeNorm: Tensor?
        /// The residual stream after each captured layer (0-based), `[tokens, hidden]`;
        /// key `-1` holds the input of layer 0 (after `pre_layrnorm`) when captured.
        var states: [Int: Tensor]
        /// The class token's row of the residual stream after the last layer run, `[1, hidden]`.
        var lastClassToken: Tensor
    }

    /// `(gridHeight, gridWidth)` for `pixelValues` (`[3, H, W]` or `[1, 3, H, W]`); throws on other shapes.
    func grid(of pixelValues: Tensor) throws -> (height: Int, width: Int, imageHeight: Int, imageWidth: Int) {
        let shape = pixelValues.shape.count == 4 && pixelValues.shape[0] == 1 ? Array(pixelValues.shape.dropFirst())
                                                                                : pixelValues.shape
        guard shape.count == 3, shape[0] == configuration.channelCount else {
            throw CLIPSegError.invalidInput("pixel values have shape \(pixelValues.shape), expected [3, height, width]")
        }
        let p = configuration.patchSize
        guard shape[1] >= p, shape[2] >= p else {
            throw CLIPSegError.invalidInput("image of \(shape[2])×\(shape[1]) pixels is smaller than one \(p)×\(p) patch")
        }
        return (shape[1] / p, shape[2] / p, shape[1], shape[2])
    }

    /// Runs layers `0...lastLayer` on one image, keeping the states of `capture`. The residual stream
    /// lives in the workspace; only the captured states are copied out.
    func run(_ pixelValues: Tensor, through lastLayer: Int, capture: Set<Int>, keepEmbeddings: Bool = false,
             workspace: InferenceWorkspace) throws -> Run {
        let (gh, gw, _, _) = try grid(of: pixelValues)
        let hidden = configuration.hiddenSize, tokens = 1 + gh * gw, count = tokens * hidden
        var run = Run(gridHeight: gh, gridWidth: gw, embeddingsBeforeNorm: nil, states: [:],
                      lastClassToken: Tensor(shape: [1, hidden]))
        let x = try embedTokens(pixelValues, workspace: workspace) { x in
            if keepEmbeddings {
                run.embeddingsBeforeNorm = Tensor(shape: [tokens, hidden], data: Array(UnsafeBufferPointer(start: x, count: count)))
            }
        }
        func copy() -> Tensor { Tensor(shape: [tokens, hidden], data: Array(UnsafeBufferPointer(start: x, count: count))) }
        if capture.contains(-1) { run.states[-1] = copy() }
        for index in 0...lastLayer {
            try layers[index].apply(x, batch: 1, tokens: tokens, causal: false, workspace: workspace)
            if capture.contains(index) { run.states[index] = copy() }
        }
        run.lastClassToken.data.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: x, count: hidden) }
        return run
    }

    /// The input of layer 0 in `workspace.residual` (`[1 + gh · gw, hidden]`, returned): the patch
    /// embedding, the class token, the position embeddings (`beforeNorm` sees that sum), then `pre_layrnorm`.
    func embedTokens(_ pixelValues: Tensor, workspace: InferenceWorkspace,
                     beforeNorm: (UnsafeMutablePointer<Float>) -> Void = { _ in }) throws -> UnsafeMutablePointer<Float> {
        let (gh, gw, height, width) = try grid(of: pixelValues)
        let hidden = configuration.hiddenSize, tokens = 1 + gh * gw, count = tokens * hidden
        let x = workspace.residual.reserve(count)
        let table = positions.table(gridHeight: gh, gridWidth: gw)
        let columns = workspace.columns.reserve(patchEmbedding.scratchCount(batch: 1, height: height, width: width))
        pixelValues.data.withUnsafeBufferPointer { pixels in
            patchEmbedding.apply(pixels.baseAddress!, batch: 1, height: height, width: width,
                                 layout: .channelsFirst, into: x + hidden, columns: columns, threads: workspace.threads)
        }
        x.update(from: classEmbedding, count: hidden)
        for i in 0..<count { x[i] += table[i] }
        beforeNorm(x)
        preLayerNorm.apply(x, rows: tokens, into: x)
        return x
    }

    /// `post_layernorm` of the class token after the LAST layer, `[1, hidden]` (before projection).
    func pooled(_ pixelValues: Tensor, workspace: InferenceWorkspace) throws -> Tensor {
        let run = try run(pixelValues, through: configuration.layerCount - 1, capture: [], workspace: workspace)
        return postLayerNorm(run.lastClassToken)
    }

    /// An image prompt's conditional embedding `[1, projection_dim]` (`get_image_features`).
    func embed(_ pixelValues: Tensor, workspace: InferenceWorkspace) throws -> Tensor {
        projection(try pooled(pixelValues, workspace: workspace))
    }
}
