extension Tensor {
    /// Largest `|self[i] - other[i]|` over all elements: `.infinity` when the shapes differ, NaN when any
    /// difference is NaN (a NaN in either tensor, or infinities of the same sign at the same index), so no
    /// bound on it passes by accident. `Swift.max` alone would drop a NaN that is not the first value.
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

    /// Largest absolute element value (`0` for an empty tensor), NaN when any element is NaN.
    public var maxAbsoluteValue: Float {
        var largest: Float = 0
        for value in data {
            if value.isNaN { return .nan }
            largest = max(largest, abs(value))
        }
        return largest
    }
}
