/// An element type named in a safetensors header (`"dtype": "F32"`), spelled as the format spells it.
///
/// Every type here has a whole number of bytes per element, so a tensor's byte count is
/// `product(shape) × byteSize`. Sub-byte types (F4, F6_*) are not listed and are refused as unknown.
/// All multi-byte values are little-endian in the file.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case f64 = "F64"
    case f32 = "F32"
    case f16 = "F16"
    case bf16 = "BF16"
    case f8e4m3 = "F8_E4M3"
    case f8e5m2 = "F8_E5M2"
    case f8e8m0 = "F8_E8M0"
    case i64 = "I64"
    case i32 = "I32"
    case i16 = "I16"
    case i8 = "I8"
    case u64 = "U64"
    case u32 = "U32"
    case u16 = "U16"
    case u8 = "U8"
    case bool = "BOOL"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .f64, .i64, .u64: return 8
        case .f32, .i32, .u32: return 4
        case .f16, .bf16, .i16, .u16: return 2
        case .f8e4m3, .f8e5m2, .f8e8m0, .i8, .u8, .bool: return 1
        }
    }

    /// True for the types `SafeTensorsFile.floats(_:)` converts to Float32 (F64, F32, F16, BF16).
    public var isConvertibleToFloat: Bool {
        switch self {
        case .f64, .f32, .f16, .bf16: return true
        default: return false
        }
    }

    /// True for the types `SafeTensorsFile.int64s(_:)` widens to Int64 (every integer type and BOOL).
    public var isConvertibleToInt64: Bool {
        switch self {
        case .i64, .i32, .i16, .i8, .u64, .u32, .u16, .u8, .bool: return true
        default: return false
        }
    }
}
