/// Element conversion for other checkpoint readers (PyTorch's zip format shares these element types).
extension SafeTensorsDType {
    /// Converts `destination.count` little-endian elements of this type at `source` (which may be unaligned)
    /// to Float32 (F64 rounds to nearest). Returns false, writing nothing, unless `isConvertibleToFloat`.
    /// `source` must hold `destination.count × byteSize` readable bytes.
    public func convertToFloat(_ source: UnsafeRawPointer, into destination: UnsafeMutableBufferPointer<Float>) -> Bool {
        ElementConversion.convertToFloat(source, dtype: self, into: destination)
    }

    /// Widens `destination.count` little-endian integer elements (or BOOL bytes) at `source` to Int64
    /// (check `isConvertibleToInt64` first: other types write nothing). Returns the first U64 value that
    /// does not fit in Int64, nil when every element was converted.
    public func convertToInt64(_ source: UnsafeRawPointer, into destination: UnsafeMutableBufferPointer<Int64>) -> UInt64? {
        if case .outOfRange(let value) = ElementConversion.convertToInt64(source, dtype: self, into: destination) {
            return value
        }
        return nil
    }
}
