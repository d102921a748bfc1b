/// A 2-D transposed convolution (`torch.nn.ConvTranspose2d`, dilation 1, groups 1), computed as
/// one GEMM (`[positions, in] × [in, k·k·out]`) followed by col2im accumulation.
///
/// Input and output are channels-last: `[batch, height, width, channels]`. Output size per side is
/// `(in - 1) · stride - 2 · padding + kernelSize + outputPadding`.
public struct TransposedConvolution2D: Sendable {
    public let inputChannels: Int
    public let outputChannels: Int
    /// Square kernel side.
    public let kernelSize: Int
    public let stride: Int
    /// Implicit padding removed from every side of the full output.
    public let padding: Int
    /// Extra rows/columns added at the bottom/right (PyTorch's `output_padding`).
    public let outputPadding: Int
    /// `[inputChannels, kernelSize, kernelSize, outputChannels]`: PyTorch's `[in, out, kh, kw]`
    /// reordered so each kernel tap's output channels are contiguous.
    public let weight: [Float]
    /// `[outputChannels]` or nil.
    public let bias: [Float]?

    /// A transposed convolution from PyTorch's `weight` (`[in, out, k, k]`) and optional `bias`.
    public init(pytorchWeight: [Float], bias: [Float]?, inputChannels: Int, outputChannels: Int,
                kernelSize: Int, stride: Int, padding: Int = 0, outputPadding: Int = 0) {
        precondition(kernelSize > 0 && stride > 0 && padding >= 0 && outputPadding >= 0 && outputPadding < stride,
                     "invalid transposed convolution geometry")
        let k = kernelSize
        precondition(pytorchWeight.count == inputChannels * outputChannels * k * k,
                     "ConvTranspose2d weight has \(pytorchWeight.count) values, expected \(inputChannels)×\(outputChannels)×\(k)×\(k)")
        precondition(bias == nil || bias!.count == outputChannels, "ConvTranspose2d bias length differs")
        var reordered = [Float](repeating: 0, count: pytorchWeight.count)
        for i in 0..<inputChannels {
            for o in 0..<outputChannels {
                for ky in 0..<k {
                    for kx in 0..<k {
                        reordered[((i * k + ky) * k + kx) * outputChannels + o] =
                            pytorchWeight[((i * outputChannels + o) * k + ky) * k + kx]
                    }
                }
            }
        }
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = k
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.weight = reordered
        self.bias = bias
    }

    /// Output height and width for an input of the given size.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        let side = { (n: Int) in max(0, (n - 1) * self.stride - 2 * self.padding + self.kernelSize + self.outputPadding) }
        return (side(height), side(width))
    }

    /// Floats of scratch `apply` needs (the GEMM's per-position kernel contributions).
    public func scratchCount(batch: Int, height: Int, width: Int) -> Int {
        batch * height * width * kernelSize * kernelSize * outputChannels
    }

    /// Transposed-convolves `batch` channels-last images into `output`
    /// (`[batch, outputHeight, outputWidth, outputChannels]`), then applies `activation`.
    /// `columns` is caller-owned scratch of `scratchCount(...)` floats.
    public func apply(_ input: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                      into output: UnsafeMutablePointer<Float>, columns: UnsafeMutablePointer<Float>,
                      activation: Activation = .identity) {
        let k = kernelSize, oc = outputChannels
        let (oh, ow) = outputSize(height: height, width: width)
        let positions = batch * height * width
        guard positions > 0, oh > 0, ow > 0 else { return }
        let taps = k * k * oc
        weight.withUnsafeBufferPointer { w in
            MatrixMultiply.gemm(input, w.baseAddress!, into: columns, m: positions, n: taps, k: inputChannels)
        }
        // Start from the bias, then add each input position's kernel footprint.
        let outputCount = batch * oh * ow * oc
        if let bias {
            for p in 0..<(batch * oh * ow) { for c in 0..<oc { output[p * oc + c] = bias[c] } }
        } else {
            output.update(repeating: 0, count: outputCount)
        }
        for b in 0..<batch {
            for y in 0..<height {
                for x in 0..<width {
                    let contribution = columns + ((b * height + y) * width + x) * taps
                    for ky in 0..<k {
                        let outY = y * stride - padding + ky
                        guard outY >= 0 && outY < oh else { continue }
                        for kx in 0..<k {
                            let outX = x * stride - padding + kx
                            guard outX >= 0 && outX < ow else { continue }
                            let target = output + ((b * oh + outY) * ow + outX) * oc
                            let source = contribution + (ky * k + kx) * oc
                            for c in 0..<oc { target[c] += source[c] }
                        }
                    }
                }
            }
        }
        activation.apply(output, count: outputCount)
    }

    /// Transposed-convolves a channels-last batch tensor `[batch, H, W, in]` into `[batch, outH, outW, out]`.
    public func callAsFunction(_ x: Tensor, activation: Activation = .identity) -> Tensor {
        precondition(x.shape.count == 4 && x.shape[3] == inputChannels,
                     "ConvTranspose2d over \(inputChannels) channels got \(x.shape)")
        let (batch, h, w) = (x.shape[0], x.shape[1], x.shape[2])
        let (oh, ow) = outputSize(height: h, width: w)
        var y = Tensor(shape: [batch, oh, ow, outputChannels])
        let scratchSize = scratchCount(batch: batch, height: h, width: w)
        guard y.count > 0, scratchSize > 0 else { return y }
        var scratch = [Float](repeating: 0, count: scratchSize)
        x.data.withUnsafeBufferPointer { px in
            y.data.withUnsafeMutableBufferPointer { py in
                scratch.withUnsafeMutableBufferPointer { ps in
                    apply(px.baseAddress!, batch: batch, height: h, width: w, into: py.baseAddress!,
                          columns: ps.baseAddress!, activation: activation)
                }
            }
        }
        return y
    }
}
