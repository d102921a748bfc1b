import Foundation
@testable import StreamKit
import TestSupport
import XCTest

/// The frame ledger: outcomes recorded before or after the consumer asks, in any order; failure.
final class FrameLedgerTests: XCTestCase {
    private func value(_ outcome: FrameLedger<String>.Outcome) -> String {
        switch outcome {
        case .processed(let text): return text
        case .dropped: return "dropped"
        }
    }

    func testOutcomesResolvedOutOfOrderAreReadInCaptureOrder() async throws {
        let ledger = FrameLedger<String>()
        ledger.resolve(2, .dropped)
        ledger.resolve(0, .processed("zero"))
        async let first = ledger.outcome(of: 0)
        let zero = try await first
        XCTAssertEqual(value(zero), "zero")
        async let second = ledger.outcome(of: 1)
        await waitUntil("the consumer waits for frame 1") { ledger.pendingCount == 1 }
        ledger.resolve(1, .processed("one"))
        let one = try await second
        XCTAssertEqual(value(one), "one")
        let two = try await ledger.outcome(of: 2)
        XCTAssertEqual(value(two), "dropped")
        XCTAssertEqual(ledger.pendingCount, 0, "entries are removed when read")
    }

    struct Broken: Error, Equatable {}

    func testFailureWakesTheWaiterAndRefusesUnresolvedFramesOnly() async throws {
        let ledger = FrameLedger<String>()
        ledger.resolve(5, .processed("five"))
        let waiter = Task { try await ledger.outcome(of: 4) }
        await Task.yield()
        ledger.fail(Broken())
        do {
            _ = try await waiter.value
            XCTFail("the waiter should have thrown")
        } catch {
            XCTAssertEqual(error as? Broken, Broken())
        }
        let five = try await ledger.outcome(of: 5)
        XCTAssertEqual(value(five), "five", "a resolved frame can still be read")
        do {
            _ = try await ledger.outcome(of: 6)
            XCTFail("an unresolved frame after failure should throw")
        } catch {
            XCTAssertEqual(error as? Broken, Broken())
        }
    }
}
