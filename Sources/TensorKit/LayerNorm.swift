/// Layer normalisation over the last dimension (`torch.nn.LayerNorm`).
///
/// `gamma` and `beta` have `size` elements; statistics are accumulated in Double.
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
    public func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
                      inputStride: Int? = nil, outputStride: Int? = nil) {
        let n = size
        let inputStride = inputStride ?? n, outputStride = outputStride ?? n
        gamma.withUnsafeBufferPointer { g in
            beta.withUnsafeBufferPointer { b in
                for row in 0..<rows {
                    let x = input + row * inputStride
                    let y = output + row * outputStride
                    var sum = 0.0
                    for j in 0..<n { sum += Double(x[j]) }
                    let mean = sum / Double(n)
                    var squares = 0.0
                    for j in 0..<n { let d = Double(x[j]) - mean; squares += d * d }
                    let inverseDeviation = 1 / (squares / Double(n) + Double(epsilon)).squareRoot()
                    let scale = Float(inverseDeviation), shift = Float(-mean * inverseDeviation)
                    for j in 0..<n { y[j] = (x[j] * scale + shift) * g[j] + b[j] }
                }
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
