import Foundation
import XCTest
@testable import StreamKit
#if canImport(Glibc)
import Glibc
#endif

// kernelNiceValue(), kernelPolicy(), osThreadName(): KernelThreadState.swift.

/// `body` and its result, moved to the thread that runs it (the caller waits meanwhile).
private final class ThreadCall<Value>: @unchecked Sendable {
    let body: () -> Value
    var value: Value?
    init(_ body: @escaping () -> Value) { self.body = body }
}

/// Runs `body` on a plain new thread (unnamed, not lowered: as FFmpeg and x264 start theirs) and waits for its result.
func onNewThread<Value>(_ body: @escaping () -> Value) -> Value {
    let call = ThreadCall(body), done = DispatchSemaphore(value: 0)
    Thread { call.value = call.body(); done.signal() }.start()
    done.wait()
    return call.value!
}

final class ThreadNicenessTests: XCTestCase {
    func testLoweringChangesOnlyTheCallingThreadAndStopsAt19() {
        let before = ThreadNiceness.current
        XCTAssertEqual(kernelNiceValue(), before)
        XCTAssertEqual(kernelPolicy(), 0)
        XCTAssertFalse(ThreadNiceness.isBatch)
        let (lowered, kernel, policy, capped) = onNewThread { () -> (Int32, Int32?, Int32?, Int32) in
            let lowered = ThreadNiceness.lowerCurrentThread(by: 3)
            let kernel = kernelNiceValue(), policy = ThreadNiceness.isBatch ? kernelPolicy() : nil
            return (lowered, kernel, policy, ThreadNiceness.lowerCurrentThread(by: 40))
        }
        XCTAssertEqual(lowered, min(19, before + 3))
        XCTAssertEqual(kernel, lowered, "the kernel agrees")
        XCTAssertEqual(policy, 3, "a batch thread (SCHED_BATCH)")
        XCTAssertEqual(capped, 19)
        XCTAssertEqual(ThreadNiceness.current, before, "the calling thread keeps its value")
        XCTAssertEqual(kernelNiceValue(), before)
        XCTAssertEqual(kernelPolicy(), 0, "and its policy")
        let unchanged = onNewThread { (ThreadNiceness.lowerCurrentThread(by: 0), kernelPolicy()) }
        XCTAssertEqual(unchanged.0, before, "0 changes nothing")
        XCTAssertEqual(unchanged.1, 0)
    }

    func testRunGivesTheBodyAndEveryThreadItStartsTheLowerValueAndTheName() throws {
        let before = ThreadNiceness.current
        let seen = try ThreadNiceness.run(loweredBy: 4, name: "clipseg-test-nc") { () -> [Int32?] in
            // A thread started inside (as FFmpeg and x264 start theirs) inherits the value and the policy.
            let child = onNewThread { (kernelNiceValue(), kernelPolicy(), osThreadName()) }
            XCTAssertEqual(child.2, "clipseg-test-nc", "and the name")
            XCTAssertEqual(osThreadName(), "clipseg-test-nc")
            return [kernelNiceValue(), kernelPolicy(), child.0, child.1]
        }
        XCTAssertEqual(seen, [min(19, before + 4), 3, min(19, before + 4), 3])
        XCTAssertEqual(ThreadNiceness.current, before)
    }

    func testRunPassesErrorsOnAndRunsInPlaceWithoutLowering() {
        struct Refused: Error, Equatable {}
        XCTAssertThrowsError(try ThreadNiceness.run(loweredBy: 2, name: "clipseg-test-ne") { () -> Int in throw Refused() }) {
            XCTAssertEqual($0 as? Refused, Refused())
        }
        let caller = pthread_self()
        let inPlace = try? ThreadNiceness.run(loweredBy: 0, name: "unused") { pthread_equal(pthread_self(), caller) != 0 }
        XCTAssertEqual(inPlace, true)
    }

    func testDedicatedThreadExecutorRunsItsJobsAtTheLoweredValue() async {
        let before = ThreadNiceness.current
        let stage = NicenessProbe(niceness: 2)
        defer { stage.executor.shutdown() }
        let value = await stage.niceValue()
        XCTAssertEqual(value, min(19, before + 2))
        let policy = await stage.policy()
        XCTAssertEqual(policy, 3)
        XCTAssertEqual(ThreadNiceness.current, before)
    }
}

private actor NicenessProbe {
    let executor: DedicatedThreadExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    init(niceness: Int32) { executor = DedicatedThreadExecutor(name: "clipseg-test-np", niceness: niceness) }
    func niceValue() -> Int32? { kernelNiceValue() }
    func policy() -> Int32? { kernelPolicy() }
}
