extension Tensor {
    /// Largest `|self[i] - other[i]|` over all elements (`.infinity` when the shapes differ,
    /// NaN when either holds a NaN at the same index).
    public func maxAbsoluteDifference(_ other: Tensor) -> Float {
        guard shape == other.shape else { return .infinity }
        var worst: Float = 0
        for i in 0..<data.count {
            let d = abs(data[i] - other.data[i])
            if d.isNaN { return .nan }
            worst = max(worst, d)
        }
        return worst
    }

    /// Largest absolute element value.
    public var maxAbsoluteValue: Float { data.reduce(0) { max($0, abs($1)) } }
}
