import ReducedPrecision
import TensorKit

/// Bytes a loaded `CLIPSegModel`'s weights take, counted from its configuration (the same tensors
/// `CheckpointKeys` lists), and what loading them takes on top.
///
/// Every weight is held as float32 (whatever the checkpoint stores), a dense layer's matrix in the
/// layout its product reads (`DenseWeights`, padded to whole panels on AVX-512 CPUs). With a reduced `precision` the vision encoder's linear layers are converted once loaded:
/// their float32 copies are released and oneDNN keeps bf16 (2 bytes a weight) or int8 (1 byte a weight
/// plus a float32 scale per output column) copies, counted here with a quarter extra for oneDNN's
/// blocked layouts.
struct WeightMemory: Sendable, Equatable {
    /// Float32 weights of the whole model, dense layers padded to whole panels (bytes).
    var float32: Int
    /// The vision encoder layers' linear weights and biases among them (bytes).
    var visionLinearFloat32: Int
    /// Their reduced-precision copies for `precision` (bytes; 0 for float32).
    var visionLinearReduced: Int
    /// The largest transient of loading: a tensor read from the checkpoint as float32 while its packed
    /// copy is made, or a layer's query, key and value matrices while they are fused (bytes).
    var loadTransient: Int

    /// Resident weights once the model is loaded (bytes).
    var resident: Int { float32 - (visionLinearReduced > 0 ? visionLinearFloat32 : 0) + visionLinearReduced }

    /// While loading: all float32 weights and the reduced copies being made, plus the transient (bytes);
    /// the checkpoint's memory mapping comes on top (`PeakMemoryEstimate`).
    var loading: Int { float32 + visionLinearReduced + loadTransient }

    init(configuration c: CLIPSegConfiguration, precision: ReducedPrecisionFormat?) {
        let t = c.text, v = c.vision, r = c.reduceDim, d = c.projectionDim, p = v.patchSize
        /// A linear layer's float32 weight (as `DenseWeights` packs it) and bias, in floats.
        func dense(_ inputs: Int, _ outputs: Int, bias: Bool = true) -> Int {
            DenseWeights.floatCount(inputs: inputs, outputs: outputs, layout: .preferred) + (bias ? outputs : 0)
        }
        /// One pre-norm encoder layer: fused query|key|value, output, two MLP layers, two layer norms.
        func encoderLayer(hidden h: Int, intermediate i: Int) -> Int {
            dense(h, 3 * h) + dense(h, h) + dense(h, i) + dense(i, h) + 4 * h
        }
        let textFloats = t.vocabSize * t.hiddenSize + t.maxPositionEmbeddings * t.hiddenSize
            + t.layerCount * encoderLayer(hidden: t.hiddenSize, intermediate: t.intermediateSize)
            + 2 * t.hiddenSize + dense(t.hiddenSize, d, bias: false)
        let visionLayerFloats = v.layerCount * encoderLayer(hidden: v.hiddenSize, intermediate: v.intermediateSize)
        let visionFloats = v.channelCount * p * p * v.hiddenSize + v.hiddenSize + v.positionCount * v.hiddenSize
            + 4 * v.hiddenSize + visionLayerFloats + dense(v.hiddenSize, d, bias: false)
        let upsampler: Int
        if c.useComplexTransposedConvolution {
            let k = p / 4
            upsampler = 9 * r * r + r + r * (r / 2) * k * k + r / 2 + (r / 2) * k * k + 1
        } else {
            upsampler = r * p * p + 1
        }
        let decoderFloats = c.extractLayers.count * (dense(v.hiddenSize, r) + encoderLayer(hidden: r, intermediate: c.decoderIntermediateSize))
            + 2 * dense(d, r) + upsampler
        float32 = 4 * (textFloats + visionFloats + decoderFloats)
        let h = v.hiddenSize, i = v.intermediateSize
        let linearWeights = v.layerCount * (4 * h * h + 2 * h * i)
        let linearColumns = v.layerCount * (4 * h + h + i)
        visionLinearFloat32 = 4 * (visionLayerFloats - v.layerCount * 4 * h)
        switch precision {
        case nil: visionLinearReduced = 0
        case .bf16: visionLinearReduced = (2 * linearWeights + 8 * linearColumns) * 5 / 4
        case .int8: visionLinearReduced = (linearWeights + 12 * linearColumns) * 5 / 4
        }
        let largestTensor = max(t.vocabSize * t.hiddenSize, dense(h, i), dense(t.hiddenSize, t.intermediateSize))
        let fusedProjection = 3 * max(dense(h, 3 * h), dense(t.hiddenSize, 3 * t.hiddenSize))
        loadTransient = 4 * max(2 * largestTensor, fusedProjection)
    }
}
