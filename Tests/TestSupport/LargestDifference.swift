/// Maxima that cannot lose a NaN.
///
/// `Swift.max(a, b)` and `Sequence.max()` compare with `<`/`>=`, which are false for NaN, so a NaN that is
/// not the first value vanishes: `max(0, .nan) == 0`. A kernel that leaves an output row unwritten (still
/// holding the NaN a test filled it with) would then pass a bound on the largest difference. These return
/// NaN instead, which every `XCTAssertLessThan(_:_:)`/`XCTAssertLessThanOrEqual(_:_:)` rejects.

/// The larger of `a` and `b`, or NaN when either is NaN.
public func maxKeepingNaN<T: FloatingPoint>(_ a: T, _ b: T) -> T {
    if a.isNaN || b.isNaN { return .nan }
    return Swift.max(a, b)
}

/// The largest of `values` (`0` when there are none), or NaN when any is NaN.
public func largestKeepingNaN<T: FloatingPoint>(_ values: some Sequence<T>) -> T {
    var largest: T = 0
    for value in values {
        if value.isNaN { return .nan }
        largest = Swift.max(largest, value)
    }
    return largest
}

/// `max |actual[i] − expected[i]|`: NaN when any difference is NaN (a NaN on either side, or infinities of
/// the same sign), `.infinity` when the lengths differ, `0` for two empty arrays.
public func largestAbsoluteDifference<T: FloatingPoint>(_ actual: [T], _ expected: [T]) -> T {
    guard actual.count == expected.count else { return .infinity }
    return largestKeepingNaN(zip(actual, expected).lazy.map { abs($0 - $1) })
}
