import XCTest
@testable import StreamKit

/// The drop policy on its own, with times given by hand (a `ManualClock`), never by sleeping.
final class DropPolicyTests: XCTestCase {
    private struct Boom: Error, Equatable {}

    private func enqueuedDropping(_ action: DropPolicy<Int>.OfferAction) -> [Int]? {
        if case .enqueuedDropping(let old) = action { return old }
        return nil
    }

    private func element(_ action: DropPolicy<Int>.TakeAction) -> (Int, Double, Bool)? {
        if case .element(let value, let waited, let wake) = action { return (value, waited, wake) }
        return nil
    }

    func testLosslessQueuesInOrderAndBlocksWhenFull() {
        var policy = DropPolicy<Int>(mode: .lossless, capacity: 2)
        guard case .enqueued = policy.offer(0, now: 0) else { return XCTFail("0 not enqueued") }
        guard case .enqueued = policy.offer(1, now: 0.01) else { return XCTFail("1 not enqueued") }
        guard case .blockProducer = policy.offer(2, now: 0.02) else { return XCTFail("2 should block") }
        XCTAssertEqual(policy.depth, 2)
        XCTAssertEqual(policy.blockedProducers, 1)

        // Taking one wakes the producer; its retry is accepted.
        let first = element(policy.take(now: 0.05))
        XCTAssertEqual(first?.0, 0)
        XCTAssertEqual(first?.1 ?? -1, 0.05, accuracy: 1e-12)
        XCTAssertEqual(first?.2, true)
        guard case .enqueued = policy.offer(2, now: 0.06) else { return XCTFail("retry of 2 not enqueued") }

        XCTAssertEqual(element(policy.take(now: 0.07))?.0, 1)
        XCTAssertEqual(element(policy.take(now: 0.08))?.0, 2)
        guard case .suspend = policy.take(now: 0.09) else { return XCTFail("empty queue should suspend") }
        XCTAssertEqual(policy.counters.offered, 3)
        XCTAssertEqual(policy.counters.processed, 3)
        XCTAssertEqual(policy.counters.dropped, 0)
        XCTAssertEqual(policy.counters.producerBlocks, 1)
        XCTAssertEqual(policy.counters.maxDepth, 2)
    }

    func testLatestWinsKeepsNewestAndCountsDrops() {
        let clock = ManualClock()
        var policy = DropPolicy<Int>(mode: .latestWins, capacity: 1)
        // A camera at 10 fps, a consumer that needs 0.35 s per frame.
        var dropped: [Int] = []
        var processed: [Int] = []
        guard case .suspend = policy.take(now: clock.now()) else { return XCTFail("should wait") }
        var busyUntil = 0.0
        for index in 0..<10 {
            let now = clock.now()
            switch policy.offer(index, now: now) {
            case .handOff(let frame): processed.append(frame); busyUntil = now + 0.35
            case .enqueued: break
            case .enqueuedDropping(let old): dropped += old
            case .blockProducer, .refused: XCTFail("latest-wins never blocks or refuses while open")
            }
            clock.advance(by: 0.1)
            if clock.now() >= busyUntil, let taken = element(policy.take(now: clock.now())) {
                processed.append(taken.0)
                busyUntil = clock.now() + 0.35
            }
        }
        // t=0 hand-off of 0; 1,2,3 arrive while busy (1,2 dropped); at t=0.4 take 3;
        // 4,5,6,7 while busy (4,5,6 dropped); at t=0.8 take 7; 8,9 (8 dropped), queue holds 9.
        XCTAssertEqual(processed, [0, 3, 7])
        XCTAssertEqual(dropped, [1, 2, 4, 5, 6, 8])
        XCTAssertEqual(policy.counters.dropped, 6)
        XCTAssertEqual(policy.depth, 1)
        XCTAssertEqual(element(policy.take(now: clock.now()))?.0, 9)
        XCTAssertEqual(policy.counters.offered, 10)
        XCTAssertEqual(policy.counters.processed, 4)
    }

    func testLatestWinsWithLargerCapacityDropsOldestFirst() {
        var policy = DropPolicy<Int>(mode: .latestWins, capacity: 3)
        for index in 0..<3 { _ = policy.offer(index, now: 0) }
        XCTAssertEqual(enqueuedDropping(policy.offer(3, now: 0)), [0])
        XCTAssertEqual(enqueuedDropping(policy.offer(4, now: 0)), [1])
        XCTAssertEqual([element(policy.take(now: 1))?.0, element(policy.take(now: 1))?.0,
                        element(policy.take(now: 1))?.0], [2, 3, 4])
    }

    func testWaitTimesComeFromTheGivenClock() {
        var policy = DropPolicy<Int>(mode: .lossless, capacity: 4)
        _ = policy.offer(7, now: 10.0)
        _ = policy.offer(8, now: 10.5)
        XCTAssertEqual(policy.oldestAge(now: 11.0), 1.0, accuracy: 1e-12)
        XCTAssertEqual(element(policy.take(now: 11.0))?.1 ?? -1, 1.0, accuracy: 1e-12)
        XCTAssertEqual(element(policy.take(now: 12.0))?.1 ?? -1, 1.5, accuracy: 1e-12)
        XCTAssertEqual(policy.counters.totalWait, 2.5, accuracy: 1e-12)
        XCTAssertEqual(policy.counters.maxWait, 1.5, accuracy: 1e-12)
    }

    func testHandOffToWaitingConsumerSkipsTheBuffer() {
        var policy = DropPolicy<Int>(mode: .lossless, capacity: 1)
        guard case .suspend = policy.take(now: 0) else { return XCTFail("should suspend") }
        XCTAssertEqual(policy.waitingConsumers, 1)
        guard case .handOff(5) = policy.offer(5, now: 1) else { return XCTFail("should hand off") }
        XCTAssertEqual(policy.waitingConsumers, 0)
        XCTAssertEqual(policy.depth, 0)
        XCTAssertEqual(policy.counters.processed, 1)
    }

    func testFinishDrainsThenEnds() {
        var policy = DropPolicy<Int>(mode: .lossless, capacity: 2)
        _ = policy.offer(1, now: 0)
        let close = policy.finish()
        XCTAssertEqual(close.resumeConsumers, 0)
        guard case .refused = policy.offer(2, now: 0) else { return XCTFail("offer after finish") }
        XCTAssertEqual(element(policy.take(now: 0))?.0, 1)
        guard case .finished = policy.take(now: 0) else { return XCTFail("should end after draining") }
        guard case .finished = policy.take(now: 0) else { return XCTFail("end is sticky") }
        XCTAssertEqual(policy.counters.refused, 1)
    }

    func testFinishResumesWaitingConsumersAndBlockedProducers() {
        var consumerSide = DropPolicy<Int>(mode: .lossless, capacity: 1)
        _ = consumerSide.take(now: 0)
        _ = consumerSide.take(now: 0)
        XCTAssertEqual(consumerSide.finish().resumeConsumers, 2)

        var producerSide = DropPolicy<Int>(mode: .lossless, capacity: 1)
        _ = producerSide.offer(1, now: 0)
        guard case .blockProducer = producerSide.offer(2, now: 0) else { return XCTFail("should block") }
        XCTAssertTrue(producerSide.finish().resumeProducers)
        guard case .refused = producerSide.offer(2, now: 0) else { return XCTFail("retry after finish") }
    }

    func testFailDeliversQueuedItemsBeforeTheError() {
        var policy = DropPolicy<Int>(mode: .lossless, capacity: 2)
        _ = policy.offer(1, now: 0)
        _ = policy.fail(Boom())
        XCTAssertEqual(element(policy.take(now: 0))?.0, 1)
        guard case .failed(let error) = policy.take(now: 0) else { return XCTFail("should fail") }
        XCTAssertEqual(error as? Boom, Boom())
    }

    func testCancelDiscardsQueuedItems() {
        var policy = DropPolicy<Int>(mode: .latestWins, capacity: 3)
        for index in 0..<3 { _ = policy.offer(index, now: 0) }
        let close = policy.cancel()
        XCTAssertEqual(close.discarded, [0, 1, 2])
        XCTAssertEqual(policy.counters.discarded, 3)
        guard case .finished = policy.take(now: 0) else { return XCTFail("cancelled queue is empty") }
        XCTAssertTrue(policy.isCancelled)
        XCTAssertEqual(policy.cancel().discarded, [])
        XCTAssertTrue(policy.finish().discarded.isEmpty)
    }

    func testCountersBalance() {
        var policy = DropPolicy<Int>(mode: .latestWins, capacity: 2)
        for index in 0..<20 {
            _ = policy.offer(index, now: Double(index))
            if index % 3 == 0 { _ = policy.take(now: Double(index)) }
        }
        let c = policy.counters
        XCTAssertEqual(c.offered, c.processed + c.dropped + c.discarded + policy.depth)
        XCTAssertEqual(c.offered, 20)
        XCTAssertGreaterThan(c.dropped, 0)
    }

    func testCapacityIsAtLeastOne() {
        var policy = DropPolicy<Int>(mode: .lossless, capacity: 0)
        XCTAssertEqual(policy.capacity, 1)
        guard case .enqueued = policy.offer(1, now: 0) else { return XCTFail("capacity 1 takes one item") }
    }
}
