import TensorKit

/// The decoder's last stage: token grid `[prompts, g, g, reduce]` (channels-last) → logits
/// `[prompts, O, O]`. Plain: `ConvTranspose2d(reduce, 1, patch, stride patch)`. Refined
/// (`use_complex_transposed_convolution`): `Conv2d(reduce, reduce, 3, padding 1)`, ReLU,
/// `ConvTranspose2d(reduce, reduce/2, patch/4, stride patch/4)`, ReLU,
/// `ConvTranspose2d(reduce/2, 1, patch/4, stride patch/4)`.
enum DecoderUpsampler: Sendable {
    case plain(TransposedConvolution2D)
    case refined(conv: Convolution2D, first: TransposedConvolution2D, second: TransposedConvolution2D)

    init(tensors: CheckpointTensors, configuration c: CLIPSegConfiguration) throws {
        let r = c.reduceDim, p = c.vision.patchSize
        if c.useComplexTransposedConvolution {
            let k = p / 4
            self = .refined(
                conv: Convolution2D(pytorchWeight: try tensors.take("decoder.upsample.conv.weight"),
                                    bias: try tensors.take("decoder.upsample.conv.bias"),
                                    inputChannels: r, outputChannels: r, kernelSize: 3, stride: 1, padding: 1),
                first: TransposedConvolution2D(pytorchWeight: try tensors.take("decoder.upsample.first.weight"),
                                               bias: try tensors.take("decoder.upsample.first.bias"),
                                               inputChannels: r, outputChannels: r / 2, kernelSize: k, stride: k),
                second: TransposedConvolution2D(pytorchWeight: try tensors.take("decoder.upsample.second.weight"),
                                                bias: try tensors.take("decoder.upsample.second.bias"),
                                                inputChannels: r / 2, outputChannels: 1, kernelSize: k, stride: k))
        } else {
            self = .plain(TransposedConvolution2D(pytorchWeight: try tensors.take("decoder.upsample.weight"),
                                                  bias: try tensors.take("decoder.upsample.bias"),
                                                  inputChannels: r, outputChannels: 1, kernelSize: p, stride: p))
        }
    }

    /// Logits `[prompts, outH, outW]` for channels-last features `[prompts, height, width, reduce]`
    /// (intermediates in the workspace; only the returned tensor is allocated).
    func apply(_ features: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
               workspace: InferenceWorkspace) -> Tensor {
        func transposed(_ layer: TransposedConvolution2D, _ input: UnsafePointer<Float>, _ h: Int, _ w: Int,
                        into output: UnsafeMutablePointer<Float>, activation: Activation) {
            let columns = workspace.columns.reserve(layer.scratchCount(batch: batch, height: h, width: w))
            layer.apply(input, batch: batch, height: h, width: w, into: output, columns: columns, activation: activation)
        }
        func logits(_ layer: TransposedConvolution2D, _ input: UnsafePointer<Float>, _ h: Int, _ w: Int) -> Tensor {
            let (oh, ow) = layer.outputSize(height: h, width: w)
            var out = Tensor(shape: [batch, oh, ow])
            out.data.withUnsafeMutableBufferPointer { transposed(layer, input, h, w, into: $0.baseAddress!, activation: .identity) }
            return out
        }
        switch self {
        case .plain(let layer):
            return logits(layer, features, height, width)
        case .refined(let conv, let first, let second):
            let convolved = workspace.upsampled.reserve(batch * height * width * conv.outputChannels)
            let columns = workspace.columns.reserve(conv.scratchCount(batch: batch, height: height, width: width))
            conv.apply(features, batch: batch, height: height, width: width, layout: .channelsLast,
                       into: convolved, columns: columns, activation: .relu)
            let (mh, mw) = first.outputSize(height: height, width: width)
            let middle = workspace.upsampledMore.reserve(batch * mh * mw * first.outputChannels)
            transposed(first, convolved, height, width, into: middle, activation: .relu)
            return logits(second, middle, mh, mw)
        }
    }
}
