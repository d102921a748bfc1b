/// Converting little-endian tensor bytes to Float32 or Int64, element by element.
///
/// Sources may be unaligned (the data section starts at `8 + headerLength`), so every load is
/// `loadUnaligned`. `source` must hold `destination.count × dtype.byteSize` bytes.
enum ElementConversion {
    /// Float32 bit pattern of an IEEE 754 binary16 value, exact for every input: normals, subnormals,
    /// ±0, ±infinity, and NaNs (payload kept, shifted into the top of the Float32 mantissa).
    /// Written with selects instead of branches so the conversion loop vectorizes.
    @inline(__always)
    static func float32Bits(fromFloat16Bits half: UInt16) -> UInt32 {
        let magnitude = UInt32(half & 0x7FFF)
        let sign = UInt32(half & 0x8000) << 16
        // Exponent and mantissa moved into place, exponent rebiased from 15 to 127.
        let rebiased = magnitude << 13 &+ (127 - 15) << 23
        // Infinity and NaN (exponent 31) need exponent 255: add the remaining 128 - 16.
        let wide = magnitude >= 0x7C00 ? rebiased &+ (128 - 16) << 23 : rebiased
        // Zero and subnormals (exponent 0) are mantissa × 2⁻²⁴: build 2⁻¹⁴ + mantissa × 2⁻²⁴ as a
        // normal Float32 and subtract 2⁻¹⁴, which is exact.
        let subnormal = (Float(bitPattern: rebiased &+ 1 << 23) - Float(bitPattern: 113 << 23)).bitPattern
        return sign | (magnitude < 0x0400 ? subnormal : wide)
    }

    /// Float32 bit pattern of a bfloat16 value: bfloat16 is the top half of a Float32.
    @inline(__always)
    static func float32Bits(fromBFloat16Bits half: UInt16) -> UInt32 { UInt32(half) << 16 }

    /// Converts `destination.count` elements of `dtype` (F64, F32, F16 or BF16) to Float32;
    /// F64 rounds to nearest. Returns false, writing nothing, for other dtypes.
    static func convertToFloat(_ source: UnsafeRawPointer, dtype: SafeTensorsDType, into destination: UnsafeMutableBufferPointer<Float>) -> Bool {
        guard let out = destination.baseAddress else { return dtype.isConvertibleToFloat }
        let count = destination.count
        switch dtype {
        case .f32:
            #if _endian(little)
            UnsafeMutableRawPointer(out).copyMemory(from: source, byteCount: count * 4)
            #else
            for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))) }
            #endif
        case .f16:
            for i in 0..<count {
                let half = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
                out[i] = Float(bitPattern: float32Bits(fromFloat16Bits: half))
            }
        case .bf16:
            for i in 0..<count {
                let half = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
                out[i] = Float(bitPattern: float32Bits(fromBFloat16Bits: half))
            }
        case .f64:
            for i in 0..<count {
                out[i] = Float(Double(bitPattern: UInt64(littleEndian: source.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))))
            }
        default:
            return false
        }
        return true
    }

    /// The outcome of widening integers: done, the dtype is not an integer type, or a U64 element
    /// (with its value) does not fit in Int64.
    enum IntegerOutcome: Equatable {
        case converted
        case notInteger
        case outOfRange(UInt64)
    }

    /// Widens `destination.count` elements of an integer dtype (or BOOL, as its byte value) to Int64.
    static func convertToInt64(_ source: UnsafeRawPointer, dtype: SafeTensorsDType, into destination: UnsafeMutableBufferPointer<Int64>) -> IntegerOutcome {
        switch dtype {
        case .i64: widen(source, Int64.self, into: destination)
        case .i32: widen(source, Int32.self, into: destination)
        case .i16: widen(source, Int16.self, into: destination)
        case .i8: widen(source, Int8.self, into: destination)
        case .u32: widen(source, UInt32.self, into: destination)
        case .u16: widen(source, UInt16.self, into: destination)
        case .u8, .bool: widen(source, UInt8.self, into: destination)
        case .u64:
            for i in 0..<destination.count {
                let value = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
                guard let fitting = Int64(exactly: value) else { return .outOfRange(value) }
                destination[i] = fitting
            }
        default:
            return .notInteger
        }
        return .converted
    }

    private static func widen<T: FixedWidthInteger>(_ source: UnsafeRawPointer, _: T.Type, into destination: UnsafeMutableBufferPointer<Int64>) {
        let stride = MemoryLayout<T>.size
        for i in 0..<destination.count {
            destination[i] = Int64(T(littleEndian: source.loadUnaligned(fromByteOffset: i * stride, as: T.self)))
        }
    }
}
