import CVectorKernels

/// A fully connected layer (`torch.nn.Linear`): `y = x Wᵀ + b`, computed with one GEMM over all rows.
///
/// The weight lives in a `DenseWeights`, packed once in the layout the product reads: column panels for
/// the packed GEMM of the AVX-512 or AVX2 kernels (`clipseg_pg_dense`, which also adds the bias, the activation or the residual
/// while each output tile is in registers), or `[inputSize, outputSize]` row-major for `cblas_sgemm`
/// elsewhere. Immutable after construction, safe to share across threads.
public struct DenseLayer: Sendable {
    /// Number of input features.
    public let inputSize: Int
    /// Number of output features.
    public let outputSize: Int
    /// The weight matrix in the layout the product reads.
    public let weights: DenseWeights
    /// `[outputSize]`, or nil for a layer without bias.
    public let bias: [Float]?

    /// `[inputSize, outputSize]` row-major (the transpose of PyTorch's `[out, in]`), materialised on
    /// every access: for building other layouts and for tests, not for the hot path.
    public var weight: [Float] {
        MatrixTranspose.transposed(weights.pytorchLayout(), rows: outputSize, columns: inputSize)
    }

    /// Output column ranges handed to `apply(_:rows:into:columns:…)` must start at a multiple of this
    /// (the panel width of the packed layout, 1 for the BLAS layout) and end there or at `outputSize`.
    public var columnGranule: Int { weights.layout == .panels ? Int(CLIPSEG_PG_PANEL_WIDTH) : 1 }

    /// A layer from PyTorch's `weight` (`[outputSize, inputSize]` row-major) and optional `bias`,
    /// packed in `layout` (the fastest one this CPU runs, by default).
    public init(pytorchWeight: [Float], bias: [Float]?, inputSize: Int, outputSize: Int,
                layout: DenseWeights.Layout = .preferred) {
        precondition(bias == nil || bias!.count == outputSize, "Linear bias length differs from \(outputSize)")
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.bias = bias
        weights = pytorchWeight.withUnsafeBufferPointer {
            DenseWeights(pytorchWeight: $0, inputs: inputSize, outputs: outputSize, layout: layout)
        }
    }

    /// One layer computing several PyTorch layers over the same input at once (their outputs side
    /// by side, e.g. query, key and value projections fused into one GEMM), in the first one's layout.
    public init(concatenatingOutputsOf layers: [DenseLayer]) {
        precondition(!layers.isEmpty, "nothing to concatenate")
        let inputSize = layers[0].inputSize
        precondition(layers.allSatisfy { $0.inputSize == inputSize }, "layers differ in input size")
        let hasBias = layers.contains { $0.bias != nil }
        // PyTorch's layout stacks output rows, so concatenating outputs is appending.
        let weight = layers.flatMap { $0.weights.pytorchLayout() }
        let bias = layers.flatMap { $0.bias ?? [Float](repeating: 0, count: $0.outputSize) }
        self.init(pytorchWeight: weight, bias: hasBias ? bias : nil, inputSize: inputSize,
                  outputSize: layers.reduce(0) { $0 + $1.outputSize }, layout: layers[0].weights.layout)
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
        switch weights.layout {
        case .panels:
            applyPanels(input, rows: rows, into: output, columns: columns, activation: activation, accumulate: accumulate,
                        inputStride: inputStride ?? inputSize, outputStride: outputStride ?? outputSize)
        case .transposed:
            applyBLAS(input, rows: rows, into: output, columns: columns, activation: activation, accumulate: accumulate,
                      inputStride: inputStride ?? inputSize, outputStride: outputStride ?? outputSize)
        }
    }

    private func applyPanels(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
                             columns: Range<Int>, activation: Activation, accumulate: Bool,
                             inputStride: Int, outputStride: Int) {
        let width = columnGranule
        precondition(columns.lowerBound % width == 0 && (columns.upperBound % width == 0 || columns.upperBound == outputSize),
                     "columns \(columns) do not start and end on \(width)-column panels")
        let code = VectorKernels.code(of: activation)
        let panels = (columns.lowerBound / width)..<((columns.upperBound + width - 1) / width)
        func run(_ bias: UnsafePointer<Float>?) {
            clipseg_pg_dense(input, inputStride, rows, inputSize, weights.values, outputSize, panels.lowerBound,
                             panels.upperBound, bias, output, outputStride, code ?? Int32(CLIPSEG_VK_IDENTITY),
                             accumulate ? 1 : 0)
        }
        if let bias { bias.withUnsafeBufferPointer { run($0.baseAddress!) } } else { run(nil) }
        if code == nil {
            // An activation without a vector kernel (exact GELU): applied afterwards by the Swift loop.
            activation.applyAddingBias(nil, to: output + columns.lowerBound, rows: rows, columns: columns.count,
                                       stride: outputStride)
        }
    }

    private func applyBLAS(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
                           columns: Range<Int>, activation: Activation, accumulate: Bool,
                           inputStride: Int, outputStride: Int) {
        let ldc = outputStride
        let start = columns.lowerBound
        // Without accumulate, the bias is written into the output first and the GEMM adds onto it
        // (beta = 1): the same sums as adding it afterwards, one pass over the output fewer.
        let presetBias = !accumulate && bias != nil
        if presetBias, let bias {
            bias.withUnsafeBufferPointer { b in
                Self.fillRows(output + start, with: b.baseAddress! + start, rows: rows, columns: columns.count, stride: ldc)
            }
        }
        MatrixMultiply.gemm(input, weights.values + start, into: output + start, m: rows, n: columns.count,
                            k: inputSize, lda: inputStride, ldb: outputSize, ldc: ldc,
                            beta: accumulate || presetBias ? 1 : 0)
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
