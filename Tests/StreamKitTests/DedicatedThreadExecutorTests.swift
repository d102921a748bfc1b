import Foundation
import XCTest
@testable import StreamKit
#if canImport(Glibc)
import Glibc
#endif

/// An actor standing for a blocking stage (inference, codec, capture).
private actor BlockingStage {
    let executor: DedicatedThreadExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    private var calls = 0

    init(name: String) { executor = DedicatedThreadExecutor(name: name) }

    /// Where this call ran: (on the executor's thread?, thread name, pthread id).
    func whereAmI() -> (onOwnThread: Bool, name: String?, thread: UInt) {
        calls += 1
        return (executor.isCurrentThread, osThreadName(), UInt(bitPattern: Int(pthread_self())))
    }

    /// Signals `mine`, then blocks this thread until `theirs` is signalled (false after 10 s).
    func rendezvous(signal mine: DispatchSemaphore, waitFor theirs: DispatchSemaphore) -> Bool {
        mine.signal()
        return theirs.wait(timeout: .now() + 10) == .success
    }

    func callCount() -> Int { calls }
}

final class DedicatedThreadExecutorTests: XCTestCase {
    func testActorRunsOnItsOwnThreadNotTheCooperativePool() async {
        let stage = BlockingStage(name: "clipseg-stage-a")
        defer { stage.executor.shutdown() }
        let pooled = await Task.detached { UInt(bitPattern: Int(pthread_self())) }.value
        var threads = Set<UInt>()
        for _ in 0..<20 {
            let place = await stage.whereAmI()
            XCTAssertTrue(place.onOwnThread)
            XCTAssertEqual(place.name, "clipseg-stage-a")
            threads.insert(place.thread)
        }
        XCTAssertEqual(threads.count, 1, "every call runs on the one dedicated thread")
        XCTAssertFalse(threads.contains(pooled), "the stage never runs on a cooperative-pool thread")
        XCTAssertFalse(stage.executor.isCurrentThread, "the test itself is not on the stage's thread")
        let calls = await stage.callCount()
        XCTAssertEqual(calls, 20)
    }

    func testTwoStagesBlockAtTheSameTime() async {
        // Each stage blocks its thread until the other has started: this completes only if the two
        // run concurrently on separate threads (on one shared thread the first would wait in vain).
        let a = BlockingStage(name: "clipseg-test-b1")
        let b = BlockingStage(name: "clipseg-test-b2")
        defer { a.executor.shutdown(); b.executor.shutdown() }
        let aStarted = DispatchSemaphore(value: 0), bStarted = DispatchSemaphore(value: 0)
        async let aMet = a.rendezvous(signal: aStarted, waitFor: bStarted)
        async let bMet = b.rendezvous(signal: bStarted, waitFor: aStarted)
        // While both dedicated threads are blocked, the cooperative pool still runs other work.
        let poolStillRuns = await Task.detached { 41 + 1 }.value
        let (first, second) = await (aMet, bMet)
        XCTAssertTrue(first)
        XCTAssertTrue(second)
        XCTAssertEqual(poolStillRuns, 42)
    }

    func testJobsRunInOrder() async {
        let stage = OrderedStage()
        defer { stage.executor.shutdown() }
        for value in 0..<100 { await stage.append(value) }
        let values = await stage.values
        XCTAssertEqual(values, Array(0..<100))
    }

    func testShutdownEndsTheThread() async {
        let stage = BlockingStage(name: "clipseg-test-c")
        _ = await stage.whereAmI()
        XCTAssertTrue(stage.executor.isRunning)
        stage.executor.shutdown()
        XCTAssertFalse(stage.executor.isRunning)
    }
}

private actor OrderedStage {
    let executor = DedicatedThreadExecutor(name: "clipseg-test-o")
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    var values: [Int] = []
    func append(_ value: Int) { values.append(value) }
}
