/// Scratch memory for the model's forward passes, reused across calls to avoid per-frame
/// allocations. Buffers only grow. Not thread-safe: give each thread (or each concurrent call) its
/// own workspace; the model's weights themselves are shared and immutable.
public final class InferenceWorkspace {
    /// One growable float buffer, owned by the workspace.
    final class Buffer {
        private(set) var pointer: UnsafeMutablePointer<Float>
        private(set) var capacity = 0

        init() { pointer = .allocate(capacity: 1) }
        deinit { pointer.deallocate() }

        /// At least `count` floats (contents unspecified).
        func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
            if count > capacity {
                pointer.deallocate()
                pointer = .allocate(capacity: max(count, 1))
                capacity = count
            }
            return pointer
        }
    }

    /// Layer-norm output `[rows, hidden]`.
    let normalized = Buffer()
    /// Fused query|key|value projections `[rows, 3 · hidden]`.
    let packed = Buffer()
    /// Attention heads' outputs `[rows, hidden]`.
    let attended = Buffer()
    /// One head's `[tokens, tokens]` scores.
    let scores = Buffer()
    /// MLP hidden layer `[rows, intermediate]`.
    let intermediate = Buffer()
    /// im2col / col2im scratch of the convolutions.
    let columns = Buffer()

    public init() {}
}
