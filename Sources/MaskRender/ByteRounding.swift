/// `round(value)` clamped to 0…255, as a byte, without the trapping conversion `UInt8(Float)` (which
/// keeps loops from vectorising): adding 2²³ leaves the rounded integer in the low mantissa bits.
/// Ties round to even.
@inline(__always)
func roundedByte(_ value: Float) -> UInt8 {
    let clamped = min(max(value, 0), 255)
    return UInt8(truncatingIfNeeded: (clamped + 8_388_608).bitPattern)
}
