import Foundation
@testable import StreamKit
import XCTest

/// `TurnTaking` alone: a wait returns once the item is finished, and for good once the downstream stage
/// has stopped.
final class TurnTakingTests: XCTestCase {
    /// A thread that waits `times` times, and the expectation it fulfils when all waits returned.
    private func waiter(_ turns: TurnTaking, times: Int = 1) -> XCTestExpectation {
        let woke = expectation(description: "\(times) waits returned")
        Thread {
            for _ in 0..<times { turns.waitForTurn() }
            woke.fulfill()
        }.start()
        return woke
    }

    func testWaitReturnsWhenTheItemIsFinished() {
        let turns = TurnTaking()
        let woke = waiter(turns)
        Thread.sleep(forTimeInterval: 0.05)
        turns.itemFinished()
        wait(for: [woke], timeout: 10)
    }

    func testDownstreamStopWakesAWaiterAndEveryLaterWait() {
        let turns = TurnTaking()
        let woke = waiter(turns)
        Thread.sleep(forTimeInterval: 0.05)
        turns.downstreamStopped()
        wait(for: [woke], timeout: 10)
        wait(for: [waiter(turns, times: 2)], timeout: 10)
    }
}
