import SafeTensors

/// One tensor of a PyTorch checkpoint: a strided view of a storage member of the archive.
///
/// All counts are in elements of `dtype` (the storage's type: PyTorch's FloatStorage is `.f32`, HalfStorage
/// `.f16`, BFloat16Storage `.bf16`, LongStorage `.i64`, …). `strides` may describe a transposed or sliced view;
/// `TorchCheckpointFile` reads it in row-major `shape` order whatever the strides.
public struct TorchTensorInfo: Sendable, Equatable {
    /// The state-dict key, e.g. `clip.vision_model.embeddings.patch_embedding.weight`.
    public let name: String
    public let dtype: SafeTensorsDType
    /// Dimensions, outermost first (row-major), e.g. `[out_features, in_features]`.
    public let shape: [Int]
    /// Elements to step in the storage per index of each dimension.
    public let strides: [Int]
    /// The storage's key: the archive member `…/data/KEY`. Tensors may share one.
    public let storageKey: String
    /// Index of the view's first element in its storage.
    public let storageOffset: Int

    /// Number of elements, `product(shape)` (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }

    /// True when the view is the row-major layout of `shape` (so it can be read as one block).
    public var isContiguous: Bool {
        var expected = 1
        for (size, stride) in zip(shape, strides).reversed() {
            if size != 1 && stride != expected { return false }
            expected *= size
        }
        return true
    }
}
