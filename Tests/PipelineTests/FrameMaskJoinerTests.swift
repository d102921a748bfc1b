import XCTest
@testable import Pipeline

final class FrameMaskJoinerTests: XCTestCase {
    private typealias Joiner = FrameMaskJoiner<String, String>

    private func describe(_ joined: [Joiner.Joined]) -> [String] {
        joined.map { "\($0.frame)+\($0.mask ?? "none")" }
    }

    func testProcessedFramesGetTheirOwnMaskInOrder() {
        var joiner = Joiner(policy: .keepFrames)
        joiner.frameArrived(index: 0, "f0")
        joiner.frameArrived(index: 1, "f1")
        joiner.maskArrived(index: 1, "m1")
        XCTAssertEqual(describe(joiner.takeReady()), [], "frame 0's fate is unknown, frame 1 must wait")
        joiner.maskArrived(index: 0, "m0")
        XCTAssertEqual(describe(joiner.takeReady()), ["f0+m0", "f1+m1"])
        XCTAssertEqual(joiner.pendingCount, 0)
    }

    func testDroppedFramesReuseTheLatestEarlierMask() {
        var joiner = Joiner(policy: .keepFrames)
        for i in 0..<6 { joiner.frameArrived(index: i, "f\(i)") }
        // The model saw 0 and 3; 1, 2, 4 were dropped; 5 is still in the model.
        joiner.frameDropped(index: 1)
        joiner.frameDropped(index: 2)
        joiner.frameDropped(index: 4)
        joiner.maskArrived(index: 0, "m0")
        XCTAssertEqual(describe(joiner.takeReady()), ["f0+m0", "f1+m0", "f2+m0"])
        joiner.maskArrived(index: 3, "m3")
        let ready = joiner.takeReady()
        XCTAssertEqual(describe(ready), ["f3+m3", "f4+m3"])
        XCTAssertEqual(ready.map(\.maskIndex), [3, 3])
        XCTAssertEqual(joiner.pendingCount, 1)
        joiner.maskArrived(index: 5, "m5")
        XCTAssertEqual(describe(joiner.takeReady()), ["f5+m5"])
        XCTAssertEqual(joiner.releasedCount, 6)
    }

    func testProcessedOnlySkipsDroppedFrames() {
        var joiner = Joiner(policy: .processedOnly)
        for i in 0..<4 { joiner.frameArrived(index: i, "f\(i)") }
        joiner.maskArrived(index: 0, "m0")
        joiner.frameDropped(index: 1)
        joiner.frameDropped(index: 2)
        joiner.maskArrived(index: 3, "m3")
        XCTAssertEqual(describe(joiner.takeReady()), ["f0+m0", "f3+m3"])
        XCTAssertEqual(joiner.skippedCount, 2)
    }

    func testDroppedBeforeAnyMaskHasNone() {
        var joiner = Joiner(policy: .keepFrames)
        joiner.frameArrived(index: 0, "f0")
        joiner.frameDropped(index: 0)
        let ready = joiner.takeReady()
        XCTAssertEqual(describe(ready), ["f0+none"])
        XCTAssertNil(ready.first?.maskIndex)
    }

    func testFatesMayArriveBeforeTheFrameAndIndicesMayHaveGaps() {
        var joiner = Joiner(policy: .keepFrames)
        joiner.maskArrived(index: 10, "m10")
        joiner.frameDropped(index: 13)
        joiner.frameArrived(index: 10, "f10")
        joiner.frameArrived(index: 13, "f13")
        XCTAssertEqual(describe(joiner.takeReady()), ["f10+m10", "f13+m10"])
    }

    func testFinishReleasesFramesWithoutAFate() {
        var keep = Joiner(policy: .keepFrames)
        keep.frameArrived(index: 0, "f0")
        keep.maskArrived(index: 0, "m0")
        keep.frameArrived(index: 1, "f1")
        XCTAssertEqual(describe(keep.finish()), ["f0+m0", "f1+m0"])
        var only = Joiner(policy: .processedOnly)
        only.frameArrived(index: 0, "f0")
        XCTAssertEqual(describe(only.finish()), [])
        XCTAssertEqual(only.skippedCount, 1)
    }

    func testLongRunStaysCompact() {
        var joiner = FrameMaskJoiner<Int, Int>(policy: .keepFrames)
        var released = 0
        for i in 0..<10_000 {
            joiner.frameArrived(index: i, i)
            if i % 3 == 0 { joiner.maskArrived(index: i, i) } else { joiner.frameDropped(index: i) }
            released += joiner.takeReady().count
        }
        XCTAssertEqual(released, 10_000)
        XCTAssertEqual(joiner.pendingCount, 0)
    }
}
