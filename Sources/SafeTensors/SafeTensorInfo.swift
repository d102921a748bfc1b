/// One tensor's entry in a validated safetensors header.
///
/// `byteOffset` counts from the start of the data section (the byte after the header), as the
/// header's `data_offsets[0]` does; `byteCount == product(shape) × dtype.byteSize` is guaranteed
/// by `SafeTensorsFile`'s validation. A scalar has `shape == []` and one element.
public struct SafeTensorInfo: Sendable, Equatable {
    /// The checkpoint key, e.g. `vision_model.embeddings.patch_embedding.weight`.
    public let name: String
    public let dtype: SafeTensorsDType
    /// Dimensions, outermost first (row-major), e.g. `[out_channels, in_channels, kh, kw]`.
    public let shape: [Int]
    /// Offset of the first byte within the data section.
    public let byteOffset: Int
    /// Number of bytes the tensor occupies.
    public let byteCount: Int

    /// Number of elements, `product(shape)` (1 for a scalar).
    public var elementCount: Int { byteCount / dtype.byteSize }

    public init(name: String, dtype: SafeTensorsDType, shape: [Int], byteOffset: Int, byteCount: Int) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.byteOffset = byteOffset
        self.byteCount = byteCount
    }
}
