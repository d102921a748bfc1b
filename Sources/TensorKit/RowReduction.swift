/// Sum and maximum of a contiguous float row with eight independent accumulators, so the compiler can
/// keep them in vector registers (a single running sum or maximum is a serial chain it may not
/// reorder). The sum is therefore taken in a fixed interleaved order, not left to right.
public enum RowReduction {
    /// `Σ values[0..<count]`.
    @_optimize(speed)
    @inlinable
    public static func sum(_ values: UnsafePointer<Float>, count: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var j = 0
        while j + 8 <= count {
            s0 += values[j]; s1 += values[j + 1]; s2 += values[j + 2]; s3 += values[j + 3]
            s4 += values[j + 4]; s5 += values[j + 5]; s6 += values[j + 6]; s7 += values[j + 7]
            j += 8
        }
        var total = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
        while j < count { total += values[j]; j += 1 }
        return total
    }

    /// `Σ (values[j] − center)²` over `count` values.
    @_optimize(speed)
    @inlinable
    public static func squaredDeviation(_ values: UnsafePointer<Float>, count: Int, from center: Float) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var j = 0
        @inline(__always) func square(_ i: Int) -> Float { let d = values[i] - center; return d * d }
        while j + 8 <= count {
            s0 += square(j); s1 += square(j + 1); s2 += square(j + 2); s3 += square(j + 3)
            s4 += square(j + 4); s5 += square(j + 5); s6 += square(j + 6); s7 += square(j + 7)
            j += 8
        }
        var total = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
        while j < count { total += square(j); j += 1 }
        return total
    }

    /// The largest of `count` values (NaNs are skipped; −∞ when there is none).
    @_optimize(speed)
    @inlinable
    public static func maximum(_ values: UnsafePointer<Float>, count: Int) -> Float {
        var m0 = -Float.infinity, m1 = m0, m2 = m0, m3 = m0, m4 = m0, m5 = m0, m6 = m0, m7 = m0
        @inline(__always) func larger(_ a: Float, _ b: Float) -> Float { b > a ? b : a }
        var j = 0
        while j + 8 <= count {
            m0 = larger(m0, values[j]); m1 = larger(m1, values[j + 1])
            m2 = larger(m2, values[j + 2]); m3 = larger(m3, values[j + 3])
            m4 = larger(m4, values[j + 4]); m5 = larger(m5, values[j + 5])
            m6 = larger(m6, values[j + 6]); m7 = larger(m7, values[j + 7])
            j += 8
        }
        var result = larger(larger(larger(m0, m1), larger(m2, m3)), larger(larger(m4, m5), larger(m6, m7)))
        while j < count { result = larger(result, values[j]); j += 1 }
        return result
    }
}
