import CVectorKernels

/// Layer normalisation over the last dimension (`torch.nn.LayerNorm`).
///
/// `gamma` and `beta` have `size` elements; statistics are accumulated in float (see `RowReduction`).
public struct LayerNorm: Sendable {
    /// Length of the normalised (innermost) dimension.
    public let size: Int
    /// Scale, `[size]`.
    public let gamma: [Float]
    /// Shift, `[size]`.
    public let beta: [Float]
    /// Added to the variance before the square root.
    public let epsilon: Float

    public init(gamma: [Float], beta: [Float], epsilon: Float) {
        precondition(gamma.count == beta.count, "LayerNorm gamma \(gamma.count) and beta \(beta.count) differ")
        self.size = gamma.count
        self.gamma = gamma
        self.beta = beta
        self.epsilon = epsilon
    }

    /// Normalises `rows` rows of `size` values from `input` into `output` (both `[rows, size]`,
    /// row strides `inputStride`/`outputStride`). `input` and `output` may be the same buffer.
    /// Two passes per row for the statistics (mean, then the mean squared deviation, each with
    /// `RowReduction`), one to write.
    @_optimize(speed)
    public func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
                      inputStride: Int? = nil, outputStride: Int? = nil) {
        let n = size
        let inputStride = inputStride ?? n, outputStride = outputStride ?? n
        if VectorKernels.isEnabled {
            gamma.withUnsafeBufferPointer { g in
                beta.withUnsafeBufferPointer { b in
                    clipseg_vk_layer_norm(input, inputStride, output, outputStride, rows, n,
                                          g.baseAddress!, b.baseAddress!, epsilon)
                }
            }
            return
        }
        portableApply(input, rows: rows, into: output, inputStride: inputStride, outputStride: outputStride)
    }

    /// `apply` in portable Swift (what runs with `KernelISA.portable`).
    @_optimize(speed)
    public func portableApply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
                              inputStride: Int? = nil, outputStride: Int? = nil) {
        let n = size
        let inputStride = inputStride ?? n, outputStride = outputStride ?? n
        gamma.withUnsafeBufferPointer { g in
            beta.withUnsafeBufferPointer { b in
                let gamma = g.baseAddress!, beta = b.baseAddress!
                for row in 0..<rows {
                    let x = input + row * inputStride
                    let y = output + row * outputStride
                    let mean = RowReduction.sum(x, count: n) / Float(n)
                    let variance = RowReduction.squaredDeviation(x, count: n, from: mean) / Float(n)
                    let scale = 1 / (variance + epsilon).squareRoot(), shift = -mean * scale
                    for j in 0..<n { y[j] = (x[j] * scale + shift) * gamma[j] + beta[j] }
                }
            }
        }
    }

    /// Normalises `rows` dense rows of `size` floats from `input` into bf16 bit patterns at `output`
    /// (`[rows, size]`, dense, rounded to nearest, ties to even): the input of a bf16 linear layer, written
    /// in the same pass as the normalisation. The vector kernel (AVX-512 or AVX2) where enabled, else `portableApply` one
    /// row at a time, then rounded.
    public func apply(_ input: UnsafePointer<Float>, rows: Int, intoBF16 output: UnsafeMutablePointer<UInt16>) {
        if VectorKernels.isEnabled {
            gamma.withUnsafeBufferPointer { g in
                beta.withUnsafeBufferPointer { b in
                    clipseg_vk_layer_norm_bf16(input, output, rows, size, g.baseAddress!, b.baseAddress!, epsilon)
                }
            }
            return
        }
        let row = UnsafeMutablePointer<Float>.allocate(capacity: size)
        defer { row.deallocate() }
        for r in 0..<rows {
            portableApply(input + r * size, rows: 1, into: row)
            for j in 0..<size {
                let bits = row[j].bitPattern
                output[r * size + j] = UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
            }
        }
    }

    /// Normalises every row of a tensor whose innermost dimension is `size`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.innerSize == size, "LayerNorm over \(size) values got shape \(x.shape)")
        var y = x
        x.data.withUnsafeBufferPointer { px in
            y.data.withUnsafeMutableBufferPointer { py in
                apply(px.baseAddress!, rows: x.count / size, into: py.baseAddress!)
            }
        }
        return y
    }
}
