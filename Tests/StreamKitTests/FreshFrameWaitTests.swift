@testable import StreamKit
import XCTest

/// `FreshFrameWait`'s rule (the vision stage applying it is in PipelineTests' `VisionStageTests`).
final class FreshFrameWaitTests: XCTestCase {
    private let thirty = FreshFrameWait(framesPerSecond: 30)!

    func testPausesOnlyForFramesBetweenHalfAPeriodAndAPeriodOld() {
        let period = 1.0 / 30
        XCTAssertEqual(thirty.pause(age: 0), 0)
        XCTAssertEqual(thirty.pause(age: period / 2), 0)
        XCTAssertEqual(thirty.pause(age: 0.025), period - 0.025 + 0.002, accuracy: 1e-12)
        XCTAssertEqual(thirty.pause(age: period), 0, "a late next frame is not waited for")
        XCTAssertEqual(thirty.pause(age: 0.5), 0)
        XCTAssertEqual(FreshFrameWait(framesPerSecond: 1000)!.pause(age: 0.0009), 0.0001 + 0.0001, accuracy: 1e-12,
                       "the margin is at most a tenth of a period")
    }

    func testUnknownOrInvalidRatesWaitForNothing() {
        XCTAssertNil(FreshFrameWait(framesPerSecond: nil))
        XCTAssertNil(FreshFrameWait(framesPerSecond: 0))
        XCTAssertNil(FreshFrameWait(framesPerSecond: -30))
        XCTAssertNil(FreshFrameWait(framesPerSecond: .infinity))
    }
}
