import CVectorKernels

/// Numerically stable softmax over rows, in place.
public enum Softmax {
    /// Replaces each of `rows` rows (`columns` values, row stride `stride`) by its softmax:
    /// `exp(x − max) / Σ exp(x − max)`, with `FastExponential` (vectorised) and `RowReduction`.
    ///
    /// With `causal`, row `i` only covers its first `i + 1` values and the rest are set to 0 (the
    /// effect of a `-inf` mask above the diagonal).
    @_optimize(speed)
    @inlinable
    public static func apply(_ values: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                             stride: Int? = nil, causal: Bool = false) {
        let stride = stride ?? columns
        for row in 0..<rows {
            let line = values + row * stride
            let valid = causal ? min(row + 1, columns) : columns
            let inverse = 1 / exponentiate(line, count: valid)
            for j in 0..<valid { line[j] *= inverse }
            if valid < columns { (line + valid).update(repeating: 0, count: columns - valid) }
        }
    }

    /// Replaces `count > 0` contiguous values `x` by `exp(x − max x)` and returns their sum (the
    /// softmax's denominator).
    @_optimize(speed)
    @inlinable
    public static func exponentiate(_ line: UnsafeMutablePointer<Float>, count: Int) -> Float {
        if VectorKernels.isEnabled { return clipseg_vk_exp_shifted_sum(line, count) }
        return portableExponentiate(line, count: count)
    }

    /// `exponentiate` in portable Swift (what runs with `KernelISA.portable`).
    @_optimize(speed)
    @inlinable
    public static func portableExponentiate(_ line: UnsafeMutablePointer<Float>, count: Int) -> Float {
        let maximum = RowReduction.maximum(line, count: count)
        for j in 0..<count { line[j] = FastExponential.exp(line[j] - maximum) }
        return RowReduction.sum(line, count: count)
    }

    /// The softmax of every row of a tensor (over its innermost dimension).
    public static func rows(of x: Tensor) -> Tensor {
        var y = x
        let columns = x.innerSize
        y.data.withUnsafeMutableBufferPointer { p in
            apply(p.baseAddress!, rows: columns == 0 ? 0 : x.count / columns, columns: columns)
        }
        return y
    }
}
