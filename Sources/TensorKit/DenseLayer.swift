import CVectorKernels

/// A fully connected layer (`torch.nn.Linear`): `y = x Wᵀ + b`, computed with one GEMM over all rows.
///
/// The weight is stored pre-transposed as `[inputSize, outputSize]` row-major, so the product is a
/// plain `[rows, in] × [in, out]` sgemm. Immutable after construction, safe to share across threads.
public struct DenseLayer: Sendable {
    /// Number of input features.
    public let inputSize: Int
    /// Number of output features.
    public let outputSize: Int
    /// `[inputSize, outputSize]` row-major (the transpose of PyTorch's `[out, in]`).
    public let weight: [Float]
    /// `[outputSize]`, or nil for a layer without bias.
    public let bias: [Float]?

    /// A layer from PyTorch's `weight` (`[outputSize, inputSize]` row-major) and optional `bias`.
    public init(pytorchWeight: [Float], bias: [Float]?, inputSize: Int, outputSize: Int) {
        precondition(pytorchWeight.count == inputSize * outputSize,
                     "Linear weight has \(pytorchWeight.count) values, expected \(outputSize)×\(inputSize)")
        precondition(bias == nil || bias!.count == outputSize, "Linear bias length differs from \(outputSize)")
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.bias = bias
        self.weight = MatrixTranspose.transposed(pytorchWeight, rows: outputSize, columns: inputSize)
    }

    /// One layer computing several PyTorch layers over the same input at once (their outputs side
    /// by side, e.g. query, key and value projections fused into one GEMM).
    public init(concatenatingOutputsOf layers: [DenseLayer]) {
        precondition(!layers.isEmpty, "nothing to concatenate")
        let inputSize = layers[0].inputSize
        precondition(layers.allSatisfy { $0.inputSize == inputSize }, "layers differ in input size")
        let hasBias = layers.contains { $0.bias != nil }
        let outputSize = layers.reduce(0) { $0 + $1.outputSize }
        var weight = [Float](repeating: 0, count: inputSize * outputSize)
        var bias = [Float]()
        var offset = 0
        for layer in layers {
            for i in 0..<inputSize {
                for o in 0..<layer.outputSize {
                    weight[i * outputSize + offset + o] = layer.weight[i * layer.outputSize + o]
                }
            }
            bias += layer.bias ?? [Float](repeating: 0, count: layer.outputSize)
            offset += layer.outputSize
        }
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.weight = weight
        self.bias = hasBias ? bias : nil
    }

    /// `output[rows, outputSize] = activation(input[rows, inputSize] · W + b)`, or with `accumulate`
    /// `output += input · W + b` (a residual add; the activation must then be `.identity`).
    /// Row strides default to the dense widths.
    public func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
                      activation: Activation = .identity, accumulate: Bool = false,
                      inputStride: Int? = nil, outputStride: Int? = nil) {
        apply(input, rows: rows, into: output, columns: 0..<outputSize, activation: activation, accumulate: accumulate,
              inputStride: inputStride, outputStride: outputStride)
    }

    /// The same for the output columns `columns` only (column `j` of the layer goes to
    /// `output[row · outputStride + j]`); the other columns of `output` are not touched, so
    /// disjoint column ranges can be computed on different threads.
    public func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
                      columns: Range<Int>, activation: Activation = .identity, accumulate: Bool = false,
                      inputStride: Int? = nil, outputStride: Int? = nil) {
        precondition(!accumulate || activation == .identity, "accumulate applies no activation")
        precondition(columns.lowerBound >= 0 && columns.upperBound <= outputSize, "columns \(columns) outside 0..<\(outputSize)")
        guard !columns.isEmpty else { return }
        let ldc = outputStride ?? outputSize
        let start = columns.lowerBound
        // Without accumulate, the bias is written into the output first and the GEMM adds onto it
        // (beta = 1): the same sums as adding it afterwards, one pass over the output fewer.
        let presetBias = !accumulate && bias != nil
        if presetBias, let bias {
            bias.withUnsafeBufferPointer { b in
                Self.fillRows(output + start, with: b.baseAddress! + start, rows: rows, columns: columns.count, stride: ldc)
            }
        }
        weight.withUnsafeBufferPointer { w in
            MatrixMultiply.gemm(input, w.baseAddress! + start, into: output + start, m: rows, n: columns.count,
                                k: inputSize, lda: inputStride ?? inputSize, ldb: outputSize, ldc: ldc,
                                beta: accumulate || presetBias ? 1 : 0)
        }
        if let bias, !presetBias {
            bias.withUnsafeBufferPointer { b in
                activation.applyAddingBias(b.baseAddress! + start, to: output + start, rows: rows,
                                           columns: columns.count, stride: ldc)
            }
        } else if activation != .identity {
            activation.applyAddingBias(nil, to: output + start, rows: rows, columns: columns.count, stride: ldc)
        }
    }

    /// Copies `row` (`columns` values) into each of `rows` rows of `output` (row stride `stride`).
    private static func fillRows(_ output: UnsafeMutablePointer<Float>, with row: UnsafePointer<Float>,
                                 rows: Int, columns: Int, stride: Int) {
        if VectorKernels.isEnabled {
            clipseg_vk_fill_rows(output, row, rows, columns, stride)
            return
        }
        for r in 0..<rows { (output + r * stride).update(from: row, count: columns) }
    }

    /// The layer applied to every row of `x` (`[..., inputSize]` → `[..., outputSize]`).
    public func callAsFunction(_ x: Tensor, activation: Activation = .identity) -> Tensor {
        precondition(x.innerSize == inputSize, "Linear over \(inputSize) features got shape \(x.shape)")
        let rows = inputSize == 0 ? 0 : x.count / inputSize
        var y = Tensor(shape: Array(x.shape.dropLast()) + [outputSize])
        x.data.withUnsafeBufferPointer { px in
            y.data.withUnsafeMutableBufferPointer { py in
                apply(px.baseAddress!, rows: rows, into: py.baseAddress!, activation: activation)
            }
        }
        return y
    }
}
