import Foundation

/// Numerically stable softmax over rows, in place.
public enum Softmax {
    /// Replaces each of `rows` rows (`columns` values, row stride `stride`) by its softmax.
    ///
    /// With `causal`, row `i` only covers its first `i + 1 + causalOffset` values and the rest are
    /// set to 0 (the effect of a `-inf` mask above the diagonal).
    @inlinable
    public static func apply(_ values: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                             stride: Int? = nil, causal: Bool = false) {
        let stride = stride ?? columns
        for row in 0..<rows {
            let line = values + row * stride
            let valid = causal ? min(row + 1, columns) : columns
            var maximum = -Float.infinity
            for j in 0..<valid { maximum = max(maximum, line[j]) }
            var sum: Float = 0
            for j in 0..<valid {
                let e = expf(line[j] - maximum)
                line[j] = e
                sum += e
            }
            let inverse = 1 / sum
            for j in 0..<valid { line[j] *= inverse }
            for j in valid..<columns { line[j] = 0 }
        }
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
