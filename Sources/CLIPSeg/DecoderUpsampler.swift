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

    /// Logits `[prompts, outH, outW]` for channels-last features `[prompts, height, width, reduce]`.
    func apply(_ features: Tensor, workspace: InferenceWorkspace) -> Tensor {
        let (batch, height, width) = (features.shape[0], features.shape[1], features.shape[2])
        func transposed(_ layer: TransposedConvolution2D, _ input: [Float], _ h: Int, _ w: Int,
                        activation: Activation) -> (values: [Float], height: Int, width: Int) {
            let (oh, ow) = layer.outputSize(height: h, width: w)
            var output = [Float](repeating: 0, count: batch * oh * ow * layer.outputChannels)
            let columns = workspace.columns.reserve(layer.scratchCount(batch: batch, height: h, width: w))
            input.withUnsafeBufferPointer { i in
                output.withUnsafeMutableBufferPointer { o in
                    layer.apply(i.baseAddress!, batch: batch, height: h, width: w, into: o.baseAddress!,
                                columns: columns, activation: activation)
                }
            }
            return (output, oh, ow)
        }
        switch self {
        case .plain(let layer):
            let out = transposed(layer, features.data, height, width, activation: .identity)
            return Tensor(shape: [batch, out.height, out.width], data: out.values)
        case .refined(let conv, let first, let second):
            var convolved = [Float](repeating: 0, count: batch * height * width * conv.outputChannels)
            let columns = workspace.columns.reserve(conv.scratchCount(batch: batch, height: height, width: width))
            features.data.withUnsafeBufferPointer { i in
                convolved.withUnsafeMutableBufferPointer { o in
                    conv.apply(i.baseAddress!, batch: batch, height: height, width: width, layout: .channelsLast,
                               into: o.baseAddress!, columns: columns, activation: .relu)
                }
            }
            let middle = transposed(first, convolved, height, width, activation: .relu)
            let out = transposed(second, middle.values, middle.height, middle.width, activation: .identity)
            return Tensor(shape: [batch, out.height, out.width], data: out.values)
        }
    }
}
