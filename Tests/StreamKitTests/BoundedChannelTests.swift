import Foundation
import TestSupport
import XCTest
@testable import StreamKit

/// The channel with real tasks and threads. No assertion depends on timing: where a test must know
/// that a producer is parked it polls the channel's counters (with a generous deadline as a hang guard).
final class BoundedChannelTests: XCTestCase {
    private struct ReadFailed: Error, Equatable {}

    /// Counts from a producer thread.
    private final class Progress: @unchecked Sendable {
        private let lock = NSLock()
        private var sentCount = 0
        private var errors: [String] = []
        var sent: Int { lock.lock(); defer { lock.unlock() }; return sentCount }
        var failures: [String] { lock.lock(); defer { lock.unlock() }; return errors }
        func didSend() { lock.lock(); sentCount += 1; lock.unlock() }
        func didFail(_ error: any Error) { lock.lock(); errors.append("\(error)"); lock.unlock() }
    }

    private func startProducerThread(_ channel: BoundedChannel<Int>, values: Range<Int>, finish: Bool = true,
                                     progress: Progress) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            do {
                for value in values {
                    try channel.sendBlocking(value)
                    progress.didSend()
                }
                if finish { channel.finish() }
            } catch {
                progress.didFail(error)
            }
            done.signal()
        }
        thread.name = "test-producer"
        thread.start()
        return done
    }

    private func wait(_ semaphore: DispatchSemaphore) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: semaphore.wait(timeout: .now() + 10) == .success) }
        }
    }

    func testOrderIsKeptBetweenTasks() async throws {
        let channel = BoundedChannel<Int>(.bounded(2))
        let producer = Task {
            for value in 0..<200 { try await channel.send(value) }
            channel.finish()
        }
        var received: [Int] = []
        for try await value in channel { received.append(value) }
        try await producer.value
        XCTAssertEqual(received, Array(0..<200))
        XCTAssertEqual(channel.counters.dropped, 0)
        XCTAssertEqual(channel.counters.processed, 200)
        XCTAssertLessThanOrEqual(channel.counters.maxDepth, 2)
    }

    func testProducerThreadIsHeldBackWhenFull() async throws {
        let channel = BoundedChannel<Int>(.bounded(2))
        let progress = Progress()
        let done = startProducerThread(channel, values: 0..<10, progress: progress)
        await waitUntil("producer parked") { channel.counters.producerBlocks >= 1 }
        XCTAssertEqual(progress.sent, 2, "only the capacity gets through before back-pressure")
        XCTAssertEqual(channel.depth, 2)

        let first = try await channel.next()
        XCTAssertEqual(first, 0)
        await waitUntil("producer refilled") { channel.depth == 2 && progress.sent == 3 }

        var rest: [Int] = []
        for try await value in channel { rest.append(value) }
        XCTAssertEqual(rest, Array(1..<10))
        let finished = await wait(done)
        XCTAssertTrue(finished)
        XCTAssertEqual(progress.failures, [])
        XCTAssertEqual(channel.counters.dropped, 0)
    }

    func testLatestWinsDropsStaleItemsAndReportsThem() async throws {
        let dropped = LockedState<[Int]>([])
        let channel = BoundedChannel<Int>(.bufferingLatest(1)) { value in dropped.withLock { $0.append(value) } }
        let progress = Progress()
        let done = startProducerThread(channel, values: 0..<50, progress: progress)
        let finished = await wait(done)
        XCTAssertTrue(finished, "a latest-wins channel never holds its producer back")
        var received: [Int] = []
        for try await value in channel { received.append(value) }
        XCTAssertEqual(received, [49])
        XCTAssertEqual(channel.counters.dropped, 49)
        XCTAssertEqual(dropped.withLock { $0 }, Array(0..<49))
        XCTAssertEqual(channel.counters.offered, 50)
    }

    func testPeekNewestReadsTheLastQueuedItemWithoutTakingIt() async throws {
        let channel = BoundedChannel<Int>(.bounded(3))
        XCTAssertNil(channel.peekNewest { $0 })
        try await channel.send(1)
        try await channel.send(2)
        XCTAssertEqual(channel.peekNewest { $0 * 10 }, 20)
        XCTAssertEqual(channel.depth, 2)
        channel.finish()
        var received: [Int] = []
        for try await value in channel { received.append(value) }
        XCTAssertEqual(received, [1, 2])
        XCTAssertNil(channel.peekNewest { $0 })
    }

    func testWaitingConsumerGetsItemsDirectly() async throws {
        let channel = BoundedChannel<Int>(.bufferingLatest(1))
        let consumer = Task { () -> [Int] in
            var values: [Int] = []
            for try await value in channel { values.append(value) }
            return values
        }
        // A hand-off happens only once the consumer waits, so wait for that before each send.
        await waitUntil("consumer waiting") { channel.counters.processed == 0 && self.isWaiting(channel) }
        try await channel.send(1)
        await waitUntil("consumer waiting again") { self.isWaiting(channel) }
        try await channel.send(2)
        channel.finish()
        let values = try await consumer.value
        XCTAssertEqual(values, [1, 2])
        XCTAssertEqual(channel.counters.dropped, 0)
    }

    private func isWaiting(_ channel: BoundedChannel<Int>) -> Bool { channel.waitingConsumerCount > 0 }

    func testFailEndsTheLoopWithTheErrorAfterQueuedItems() async throws {
        let channel = BoundedChannel<Int>(.bounded(4))
        try await channel.send(1)
        try await channel.send(2)
        channel.fail(ReadFailed())
        var received: [Int] = []
        do {
            for try await value in channel { received.append(value) }
            XCTFail("the loop should throw")
        } catch let error as ReadFailed {
            XCTAssertEqual(error, ReadFailed())
        }
        XCTAssertEqual(received, [1, 2])
    }

    func testFinishWakesAWaitingConsumer() async throws {
        let channel = BoundedChannel<Int>(.bounded(1))
        let consumer = Task { try await channel.next() }
        await waitUntil("consumer waiting") { self.isWaiting(channel) }
        channel.finish()
        let value = try await consumer.value
        XCTAssertNil(value)
        do {
            try await channel.send(3)
            XCTFail("send after finish should throw")
        } catch let error as ChannelError {
            XCTAssertEqual(error, .closed)
        }
    }

    func testCancelReleasesABlockedProducerThread() async throws {
        let channel = BoundedChannel<Int>(.bounded(1))
        let progress = Progress()
        let done = startProducerThread(channel, values: 0..<5, finish: false, progress: progress)
        await waitUntil("producer parked") { channel.counters.producerBlocks >= 1 }
        channel.cancel()
        let finished = await wait(done)
        XCTAssertTrue(finished)
        XCTAssertEqual(progress.failures, ["the channel is closed"])
        XCTAssertEqual(channel.counters.discarded, 1)
        let next = try await channel.next()
        XCTAssertNil(next)
    }

    func testCancellingTheConsumerTaskStopsTheChannel() async throws {
        let channel = BoundedChannel<Int>(.bounded(1))
        let consumer = Task { () -> Int? in try await channel.next() }
        await waitUntil("consumer waiting") { self.isWaiting(channel) }
        consumer.cancel()
        let value = try await consumer.value
        XCTAssertNil(value)
        do {
            try await channel.send(1)
            XCTFail("nobody reads a channel whose consumer was cancelled")
        } catch let error as ChannelError {
            XCTAssertEqual(error, .closed)
        }
    }

    func testCancellingABlockedAsyncProducerThrowsCancellation() async throws {
        let channel = BoundedChannel<Int>(.bounded(1))
        try await channel.send(0)
        let producer = Task { try await channel.send(1) }
        await waitUntil("producer parked") { channel.counters.producerBlocks >= 1 }
        producer.cancel()
        do {
            try await producer.value
            XCTFail("a cancelled producer should throw")
        } catch is CancellationError {}
        // The channel itself stays open for others.
        let first = try await channel.next()
        XCTAssertEqual(first, 0)
        XCTAssertEqual(channel.depth, 0)
    }
}
