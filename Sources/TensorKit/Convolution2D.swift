/// A 2-D convolution (`torch.nn.Conv2d`, dilation 1, groups 1) computed as im2col + one GEMM.
///
/// Output is channels-last: `[batch, outputHeight, outputWidth, outputChannels]`, i.e. one row of
/// channels per output position, which is exactly a vision transformer's `[tokens, hidden]`.
public struct Convolution2D: Sendable {
    public let inputChannels: Int
    public let outputChannels: Int
    /// Square kernel side.
    public let kernelSize: Int
    public let stride: Int
    /// Zero padding on every side.
    public let padding: Int
    /// `[inputChannels * kernelSize * kernelSize, outputChannels]`: PyTorch's `[out, in, kh, kw]`
    /// transposed so im2col rows (ordered `in, kh, kw`) multiply it directly.
    public let weight: [Float]
    /// `[outputChannels]` or nil.
    public let bias: [Float]?

    /// A convolution from PyTorch's `weight` (`[out, in, k, k]`) and optional `bias` (`[out]`).
    public init(pytorchWeight: [Float], bias: [Float]?, inputChannels: Int, outputChannels: Int,
                kernelSize: Int, stride: Int = 1, padding: Int = 0) {
        precondition(kernelSize > 0 && stride > 0 && padding >= 0, "invalid convolution geometry")
        let patch = inputChannels * kernelSize * kernelSize
        precondition(pytorchWeight.count == outputChannels * patch,
                     "Conv2d weight has \(pytorchWeight.count) values, expected \(outputChannels)×\(patch)")
        precondition(bias == nil || bias!.count == outputChannels, "Conv2d bias length differs")
        let transposed = MatrixTranspose.transposed(pytorchWeight, rows: outputChannels, columns: patch)
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.weight = transposed
        self.bias = bias
    }

    /// Output height and width for an input of the given size (0 when the kernel does not fit).
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        let h = (height + 2 * padding - kernelSize), w = (width + 2 * padding - kernelSize)
        guard h >= 0, w >= 0 else { return (0, 0) }
        return (h / stride + 1, w / stride + 1)
    }

    /// Floats of im2col scratch `apply` needs.
    public func scratchCount(batch: Int, height: Int, width: Int) -> Int {
        let (oh, ow) = outputSize(height: height, width: width)
        return batch * oh * ow * inputChannels * kernelSize * kernelSize
    }

    /// Convolves `batch` images (`[batch, …]` in `layout`) into `output`
    /// (`[batch, outputHeight, outputWidth, outputChannels]`), then applies `activation`.
    /// `columns` is caller-owned scratch of `scratchCount(...)` floats. With `threads` > 1 the im2col rows
    /// and the GEMM's output columns are split over that many threads (`ParallelLoop`; OpenBLAS should then
    /// run single-threaded); the result is the same.
    public func apply(_ input: UnsafePointer<Float>, batch: Int, height: Int, width: Int, layout: ImageLayout,
                      into output: UnsafeMutablePointer<Float>, columns: UnsafeMutablePointer<Float>,
                      activation: Activation = .identity, threads: Int = 1) {
        let (oh, ow) = outputSize(height: height, width: width)
        let patch = inputChannels * kernelSize * kernelSize
        let rows = batch * oh * ow
        let chunks = max(1, threads)
        ParallelLoop.run(chunks: chunks, threads: chunks) { chunk in
            for position in ParallelLoop.piece(chunk, of: chunks, 0..<rows) {
                gatherPatch(input, position: position, height: height, width: width, outputHeight: oh, outputWidth: ow,
                            layout: layout, into: columns + position * patch)
            }
        }
        ParallelLoop.run(chunks: chunks, threads: chunks) { chunk in
            let part = ParallelLoop.piece(chunk, of: chunks, 0..<outputChannels, granule: 16)
            guard !part.isEmpty else { return }
            weight.withUnsafeBufferPointer { w in
                MatrixMultiply.gemm(columns, w.baseAddress! + part.lowerBound, into: output + part.lowerBound, m: rows,
                                    n: part.count, k: patch, ldb: outputChannels, ldc: outputChannels)
            }
            if let bias {
                bias.withUnsafeBufferPointer {
                    activation.applyAddingBias($0.baseAddress! + part.lowerBound, to: output + part.lowerBound, rows: rows,
                                               columns: part.count, stride: outputChannels)
                }
            } else {
                activation.applyAddingBias(nil, to: output + part.lowerBound, rows: rows, columns: part.count,
                                           stride: outputChannels)
            }
        }
    }

    /// im2col for one output position (`(b · outputHeight + y) · outputWidth + x`): its receptive field,
    /// channel-major then kernel row and column, zero outside the image, into `row` (`patch` floats).
    private func gatherPatch(_ input: UnsafePointer<Float>, position: Int, height: Int, width: Int, outputHeight oh: Int,
                             outputWidth ow: Int, layout: ImageLayout, into row: UnsafeMutablePointer<Float>) {
        let k = kernelSize
        let b = position / (oh * ow), oy = position / ow % oh, ox = position % ow
        let image = input + b * inputChannels * height * width
        var column = 0
        for c in 0..<inputChannels {
            for ky in 0..<k {
                let y = oy * stride - padding + ky
                for kx in 0..<k {
                    let x = ox * stride - padding + kx
                    row[column] = (y >= 0 && y < height && x >= 0 && x < width)
                        ? image[layout.offset(channel: c, y: y, x: x, channels: inputChannels, height: height, width: width)]
                        : 0
                    column += 1
                }
            }
        }
    }

    /// Convolves one batch tensor (`[batch, C, H, W]` or `[batch, H, W, C]` per `layout`) into
    /// `[batch, outH, outW, outC]`.
    public func callAsFunction(_ x: Tensor, layout: ImageLayout, activation: Activation = .identity) -> Tensor {
        precondition(x.shape.count == 4, "Conv2d input must be 4-D, got \(x.shape)")
        let batch = x.shape[0]
        let (c, h, w) = layout == .channelsFirst ? (x.shape[1], x.shape[2], x.shape[3])
                                                 : (x.shape[3], x.shape[1], x.shape[2])
        precondition(c == inputChannels, "Conv2d over \(inputChannels) channels got \(x.shape)")
        let (oh, ow) = outputSize(height: h, width: w)
        var y = Tensor(shape: [batch, oh, ow, outputChannels])
        guard y.count > 0 else { return y }
        var scratch = [Float](repeating: 0, count: scratchCount(batch: batch, height: h, width: w))
        x.data.withUnsafeBufferPointer { px in
            y.data.withUnsafeMutableBufferPointer { py in
                scratch.withUnsafeMutableBufferPointer { ps in
                    apply(px.baseAddress!, batch: batch, height: h, width: w, layout: layout,
                          into: py.baseAddress!, columns: ps.baseAddress!, activation: activation)
                }
            }
        }
        return y
    }
}
