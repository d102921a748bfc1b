/// A dense, row-major float32 tensor: `shape` lists dimensions outermost first
/// (e.g. `[tokens, hidden]`), `data.count == shape.reduce(1, *)`.
///
/// Storage is a Swift array, so a `Tensor` is a value: copies share storage until one of them
/// is written (copy-on-write). Hot loops should reach the elements through
/// `withUnsafeBufferPointer` / `withUnsafeMutableBufferPointer`.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var data: [Float]

    /// A tensor of `shape` filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.data = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// A tensor over existing values; `data.count` must equal the product of `shape`.
    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "shape \(shape) does not hold \(data.count) values")
        self.shape = shape
        self.data = data
    }

    /// Number of elements.
    public var count: Int { data.count }

    /// Size of the innermost dimension (1 for a scalar).
    public var innerSize: Int { shape.last ?? 1 }
}
