import Foundation
@testable import Pipeline
import StreamKit
import VideoFrames
import XCTest

/// The vision stage applying `FreshFrameWait` to the frame waiting in its queue.
final class VisionStageTests: XCTestCase {
    private let thirty = FreshFrameWait(framesPerSecond: 30)!

    /// The stage looks at the newest waiting frame before taking it: 25 ms old at 30 fps, it sleeps
    /// until the next is due; 5 ms old, it takes it at once.
    func testVisionStageSleepsBeforeAFrameMoreThanHalfAPeriodOld() async throws {
        for (age, expected) in [(0.025, 1.0 / 30 - 0.025 + 0.002), (0.005, nil)] {
            let clock = ManualClock(start: 10)
            let pauses = LockedState<[Double]>([])
            let stage = VisionStage(backend: FakeBackend(log: CallLog()), pool: RecyclingPool<Int>(capacity: 2),
                                    monitor: RunMonitor(clock: clock),
                                    freshness: (thirty, clock, { seconds in pauses.withLock { $0.append(seconds) } }))
            let input = BoundedChannel<PreparedFrame<Int>>(.bufferingLatest(1), clock: clock)
            let output = BoundedChannel<EncodedFrame<Int>>(.bounded(4), clock: clock)
            let frame = RGBFrame(width: 4, height: 2, pixels: [UInt8](repeating: 0, count: 24), timestamp: 0, index: 0)
            try await input.send(PreparedFrame(index: 0, capturedAt: 10 - age, payload: .deferred(frame)))
            input.finish()
            try await stage.run(input: input, output: output)
            let encoded = try await output.next()
            XCTAssertEqual(encoded?.index, 0)
            if let expected {
                XCTAssertEqual(pauses.withLock { $0 }.count, 1, "age \(age)")
                XCTAssertEqual(pauses.withLock { $0 }.first ?? 0, expected, accuracy: 1e-9)
            } else {
                XCTAssertEqual(pauses.withLock { $0 }, [], "age \(age)")
            }
        }
    }
}
