import Foundation
@testable import StreamKit
import XCTest

/// `DecodeTurns` alone: a wait returns once the frame is decoded, and for good once the decoder stage
/// has stopped.
final class DecodeTurnsTests: XCTestCase {
    /// A thread that waits `times` times, and the expectation it fulfils when all waits returned.
    private func waiter(_ turns: DecodeTurns, times: Int = 1) -> XCTestExpectation {
        let woke = expectation(description: "\(times) waits returned")
        Thread {
            for _ in 0..<times { turns.waitForDecode() }
            woke.fulfill()
        }.start()
        return woke
    }

    func testWaitReturnsWhenTheFrameIsDecoded() {
        let turns = DecodeTurns()
        let woke = waiter(turns)
        Thread.sleep(forTimeInterval: 0.05)
        turns.frameDecoded()
        wait(for: [woke], timeout: 10)
    }

    func testFinishWakesAWaiterAndEveryLaterWait() {
        let turns = DecodeTurns()
        let woke = waiter(turns)
        Thread.sleep(forTimeInterval: 0.05)
        turns.finish()
        wait(for: [woke], timeout: 10)
        wait(for: [waiter(turns, times: 2)], timeout: 10)
    }
}
