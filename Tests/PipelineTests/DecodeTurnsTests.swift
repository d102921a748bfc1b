import Foundation
@testable import Pipeline
import XCTest

/// `DecodeTurns` alone: a wait returns once the frame is decoded, and for good once the decoder stage
/// has stopped.
final class DecodeTurnsTests: XCTestCase {
    func testWaitReturnsWhenTheFrameIsDecoded() {
        let turns = DecodeTurns()
        let woke = expectation(description: "vision woke")
        let thread = Thread {
            turns.waitForDecode()
            woke.fulfill()
        }
        thread.start()
        Thread.sleep(forTimeInterval: 0.05)
        turns.frameDecoded()
        wait(for: [woke], timeout: 10)
    }

    func testFinishWakesAWaiterAndEveryLaterWait() {
        let turns = DecodeTurns()
        let woke = expectation(description: "vision woke")
        let thread = Thread {
            turns.waitForDecode()
            woke.fulfill()
        }
        thread.start()
        Thread.sleep(forTimeInterval: 0.05)
        turns.finish()
        wait(for: [woke], timeout: 10)
        let later = expectation(description: "later waits return at once")
        Thread {
            turns.waitForDecode()
            turns.waitForDecode()
            later.fulfill()
        }.start()
        wait(for: [later], timeout: 10)
    }
}
