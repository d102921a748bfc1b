/// bf16 bit patterns (`UInt16`, the upper half of a float32) in tests: conversions, and how far
/// two bf16 arrays are apart in units in the last place (ulps).
enum BF16Bits {
    /// `value` rounded to the nearest bf16 (ties to even).
    static func bits(_ value: Float) -> UInt16 { UInt16(SchemeEmulation.bfloat16(value).bitPattern >> 16) }

    static func float(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// The largest distance between `actual[i]` and `expected[i]` in bf16 ulps (counted across zero),
    /// and how many elements differ at all.
    static func distance(_ actual: [UInt16], _ expected: [UInt16]) -> (largest: Int, differing: Int) {
        precondition(actual.count == expected.count)
        func ordered(_ bits: UInt16) -> Int { bits & 0x8000 != 0 ? -Int(bits & 0x7FFF) : Int(bits) }
        var largest = 0, differing = 0
        for (a, e) in zip(actual, expected) where a != e {
            differing += 1
            largest = max(largest, abs(ordered(a) - ordered(e)))
        }
        return (largest, differing)
    }
}
