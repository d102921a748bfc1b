import XCTest
import TestSupport
@testable import TensorKit

/// `Tensor.maxAbsoluteDifference`, behind every parity assertion, and the NaN-keeping maxima of TestSupport
/// that the kernel tests use: a NaN anywhere, or a shape that differs, must fail any bound.
final class TensorComparisonTests: XCTestCase {
    private let base = Tensor(shape: [2, 3], data: [0, 1, -2, 3, 4, -5])

    func testLargestDifferenceOfEqualShapes() {
        XCTAssertEqual(base.maxAbsoluteDifference(base), 0)
        var other = base
        other.data[4] += 0.25
        other.data[5] -= 0.5
        XCTAssertEqual(base.maxAbsoluteDifference(other), 0.5)
        XCTAssertEqual(other.maxAbsoluteDifference(base), 0.5)
        XCTAssertEqual(Tensor(shape: [0], data: []).maxAbsoluteDifference(Tensor(shape: [0], data: [])), 0)
    }

    func testNaNAtAnyIndexOfEitherOperandIsNaN() {
        for index in 0..<base.count {
            var poisoned = base
            poisoned.data[index] = .nan
            XCTAssertTrue(base.maxAbsoluteDifference(poisoned).isNaN, "NaN in the second operand at \(index)")
            XCTAssertTrue(poisoned.maxAbsoluteDifference(base).isNaN, "NaN in the first operand at \(index)")
            XCTAssertTrue(poisoned.maxAbsoluteDifference(poisoned).isNaN, "NaN in both at \(index)")
        }
    }

    func testInfinitiesCountAsFarApart() {
        var infinite = base
        infinite.data[2] = .infinity
        XCTAssertEqual(base.maxAbsoluteDifference(infinite), .infinity)
        XCTAssertTrue(infinite.maxAbsoluteDifference(infinite).isNaN, "∞ − ∞ is no agreement")
    }

    func testShapeMismatchIsInfiniteEvenWithTheSameValues() {
        let reshaped = Tensor(shape: [3, 2], data: base.data)
        XCTAssertEqual(base.maxAbsoluteDifference(reshaped), .infinity)
        XCTAssertEqual(base.maxAbsoluteDifference(Tensor(shape: [2, 2], data: [0, 1, -2, 3])), .infinity)
        XCTAssertEqual(base.maxAbsoluteDifference(Tensor(shape: [6], data: base.data)), .infinity)
    }

    func testLargestAbsoluteValueKeepsNaN() {
        XCTAssertEqual(base.maxAbsoluteValue, 5)
        var poisoned = base
        poisoned.data[5] = .nan
        XCTAssertTrue(poisoned.maxAbsoluteValue.isNaN)
    }

    /// Every bound a test writes rejects what these functions return for a NaN or a mismatch.
    func testFailuresAreRejectedByTheAssertions() {
        XCTAssertFalse(Float.nan < 1e-5)
        XCTAssertFalse(Float.nan <= 1e-5)
        XCTAssertFalse(Float.infinity <= 1e-5)
        // What the helpers guard against: Swift's own maximum loses a NaN that comes second.
        XCTAssertEqual(Swift.max(Float(0), .nan), 0)
        XCTAssertEqual([Float(0), .nan].max(), 0)
    }

    func testTestSupportMaximaKeepNaN() {
        XCTAssertTrue(maxKeepingNaN(0.0, .nan).isNaN)
        XCTAssertTrue(maxKeepingNaN(Double.nan, 0).isNaN)
        XCTAssertEqual(maxKeepingNaN(1.0, 2), 2)
        XCTAssertTrue(largestKeepingNaN([Float(1), 2, .nan, 3]).isNaN)
        XCTAssertEqual(largestKeepingNaN([Float(1), 3, 2]), 3)
        XCTAssertEqual(largestKeepingNaN([Float]()), 0)
    }

    func testTestSupportLargestAbsoluteDifference() {
        XCTAssertEqual(largestAbsoluteDifference([Float(1), 2, 3], [1, 2.5, 2]), 1)
        XCTAssertTrue(largestAbsoluteDifference([Float(1), 2, 3], [1, 2, .nan]).isNaN)
        XCTAssertTrue(largestAbsoluteDifference([Float.nan, 2, 3], [1, 2, 3]).isNaN)
        XCTAssertEqual(largestAbsoluteDifference([Float(1), 2, 3], [1, 2]), .infinity)
        XCTAssertEqual(largestAbsoluteDifference([Double](), []), 0)
    }
}
