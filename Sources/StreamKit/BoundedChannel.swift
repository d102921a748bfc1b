import Foundation

/// The named buffering policies of a `BoundedChannel`.
public enum BufferPolicy: Sendable, Equatable {
    /// Lossless: at most `n` items wait; a producer facing a full channel waits (back-pressure).
    case bounded(Int)
    /// Latest wins: at most `n` items wait; a new item pushes out the oldest, which is counted as dropped.
    case bufferingLatest(Int)

    var dropMode: DropMode {
        switch self {
        case .bounded: .lossless
        case .bufferingLatest: .latestWins
        }
    }

    var capacity: Int {
        switch self {
        case .bounded(let n), .bufferingLatest(let n): n
        }
    }
}

/// Sending into a channel that was finished, failed or cancelled.
public enum ChannelError: Error, Equatable, CustomStringConvertible {
    case closed

    public var description: String { "the channel is closed" }
}

/// A bounded queue between a producer (an async task, an actor, or a dedicated thread that may block)
/// and one consumer that iterates it with `for try await`.
///
/// Every drop or wait decision is made by a `DropPolicy`; this class only parks and wakes the waiting
/// sides. Shutdown:
/// - `finish()`: no more input; the consumer drains what is queued, then its loop ends.
/// - `fail(error)`: the same, but the loop throws `error` after the queued items.
/// - `cancel()`: stop now; queued items are discarded, the consumer's loop ends, producers get
///   `ChannelError.closed`. Cancelling the consumer's task while it waits cancels the channel.
///
/// Items are delivered in the order they were accepted. Times (queue waits) come from `clock`.
public final class BoundedChannel<Element: Sendable>: AsyncSequence, Sendable {
    private enum ProducerWaiter {
        case task(CheckedContinuation<SendStep, Never>)
        case thread(DispatchSemaphore)
    }

    private enum SendStep { case done, retry, refused, cancelled }

    private struct State {
        var policy: DropPolicy<Element>
        var consumers: [(id: UInt64, continuation: CheckedContinuation<Element?, any Error>)] = []
        var producers: [(id: UInt64, waiter: ProducerWaiter)] = []
        var nextID: UInt64 = 0
    }

    /// Work to do after the lock is released.
    private struct Effects {
        var handOff: (CheckedContinuation<Element?, any Error>, Element)?
        var wakeProducers: [ProducerWaiter] = []
        var endConsumers: [CheckedContinuation<Element?, any Error>] = []
        var endError: (any Error)?
        var dropped: [Element] = []

        func perform(onDrop: (@Sendable (Element) -> Void)?) {
            if let (continuation, element) = handOff { continuation.resume(returning: element) }
            for continuation in endConsumers {
                if let endError { continuation.resume(throwing: endError) } else { continuation.resume(returning: nil) }
            }
            for waiter in wakeProducers {
                switch waiter {
                case .task(let continuation): continuation.resume(returning: .retry)
                case .thread(let semaphore): semaphore.signal()
                }
            }
            if let onDrop { dropped.forEach(onDrop) }
        }
    }

    private let state: LockedState<State>
    private let clock: any MonotonicClock
    private let onDrop: (@Sendable (Element) -> Void)?
    /// The policy this channel was made with.
    public let policy: BufferPolicy

    /// A channel with `policy`. `onDrop` is called (outside any lock, on the producer's thread) with
    /// every item dropped by `bufferingLatest` or discarded by `cancel()`, e.g. to recycle frame buffers.
    public init(_ policy: BufferPolicy, clock: any MonotonicClock = SystemClock(),
                onDrop: (@Sendable (Element) -> Void)? = nil) {
        self.policy = policy
        self.clock = clock
        self.onDrop = onDrop
        state = LockedState(State(policy: DropPolicy(mode: policy.dropMode, capacity: policy.capacity)))
    }

    /// What the channel has done so far.
    public var counters: DropCounters { state.withLock { $0.policy.counters } }
    /// Items queued now.
    public var depth: Int { state.withLock { $0.policy.depth } }
    /// Consumers waiting for an item now (0 or 1 in normal use).
    public var waitingConsumerCount: Int { state.withLock { $0.consumers.count } }

    // MARK: Producing

    /// `read` applied to the newest queued item, or nil when none is queued; nothing is taken.
    public func peekNewest<Value>(_ read: (Element) -> Value) -> Value? {
        state.withLock { state in state.policy.newest.map(read) }
    }

    /// Offers `element`, suspending while a `bounded` channel is full.
    /// Throws `ChannelError.closed` if the channel is closed (the element is not delivered) and
    /// `CancellationError` if the calling task is cancelled while waiting.
    public func send(_ element: Element) async throws {
        while true {
            let step: SendStep = await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<SendStep, Never>) in
                    let (immediate, effects) = offer(element) { id, state in
                        if Task.isCancelled { return false }
                        state.producers.append((id, .task(continuation)))
                        return true
                    }
                    effects.perform(onDrop: onDrop)
                    if let immediate { continuation.resume(returning: immediate) }
                }
            } onCancel: {
                wakeCancelledProducers()
            }
            switch step {
            case .done: return
            case .retry: continue
            case .refused: throw ChannelError.closed
            case .cancelled: throw CancellationError()
            }
        }
    }

    /// Offers `element` from a dedicated (non-cooperative) thread, blocking that thread while a
    /// `bounded` channel is full. Never call this from Swift's cooperative pool.
    /// Throws `ChannelError.closed` if the channel is closed; the element is then not delivered.
    public func sendBlocking(_ element: Element) throws {
        var semaphore: DispatchSemaphore?
        while true {
            let (immediate, effects) = offer(element) { id, state in
                let waiter = semaphore ?? DispatchSemaphore(value: 0)
                semaphore = waiter
                state.producers.append((id, .thread(waiter)))
                return true
            }
            effects.perform(onDrop: onDrop)
            switch immediate {
            case .done?: return
            case .refused?, .cancelled?: throw ChannelError.closed
            case .retry?: continue
            case nil: semaphore?.wait()
            }
        }
    }

    /// Runs the policy for one offer under the lock. `park` registers the waiting producer and returns
    /// false when it must not wait after all (its task is already cancelled).
    /// Returns the step to take now (nil: parked) and the effects to perform after unlocking.
    private func offer(_ element: Element,
                       park: (UInt64, inout State) -> Bool) -> (SendStep?, Effects) {
        let now = clock.now()
        return state.withLock { state in
            var effects = Effects()
            switch state.policy.offer(element, now: now) {
            case .handOff(let element):
                effects.handOff = (state.consumers.removeFirst().continuation, element)
                return (.done, effects)
            case .enqueued:
                return (.done, effects)
            case .enqueuedDropping(let stale):
                effects.dropped = stale
                return (.done, effects)
            case .refused:
                return (.refused, effects)
            case .blockProducer:
                let id = state.nextID
                state.nextID += 1
                if park(id, &state) { return (nil, effects) }
                return (.cancelled, effects)
            }
        }
    }

    private func wakeCancelledProducers() {
        // A producer task was cancelled: resume every waiting task producer; each retries, and the
        // cancelled one sees its cancellation (other tasks simply retry their offer).
        let waiters: [ProducerWaiter] = state.withLock { state in
            let tasks = state.producers.filter { if case .task = $0.waiter { true } else { false } }
            state.producers.removeAll { if case .task = $0.waiter { true } else { false } }
            return tasks.map(\.waiter)
        }
        for case .task(let continuation) in waiters { continuation.resume(returning: .retry) }
    }

    // MARK: Closing

    /// No more input: the consumer drains what is queued, then ends. Later sends throw `ChannelError.closed`.
    public func finish() { close { $0.finish() } }

    /// Input failed: the consumer drains what is queued, then its loop throws `error`.
    public func fail(_ error: any Error) { close { $0.fail(error) } }

    /// Stop now: queued items are discarded, the consumer ends, producers get `ChannelError.closed`.
    public func cancel() { close { $0.cancel() } }

    private func close(_ transition: (inout DropPolicy<Element>) -> DropPolicy<Element>.CloseAction) {
        let effects: Effects = state.withLock { state in
            let action = transition(&state.policy)
            var effects = Effects()
            effects.endConsumers = state.consumers.prefix(action.resumeConsumers).map(\.continuation)
            state.consumers.removeFirst(Swift.min(action.resumeConsumers, state.consumers.count))
            effects.endError = action.error
            if action.resumeProducers || !state.producers.isEmpty {
                effects.wakeProducers = state.producers.map(\.waiter)
                state.producers.removeAll()
            }
            effects.dropped = action.discarded
            return effects
        }
        effects.perform(onDrop: onDrop)
    }

    // MARK: Consuming

    /// The next item in order, or `nil` once the channel is finished (or cancelled) and drained.
    /// Throws the error given to `fail` after the queued items.
    public func next() async throws -> Element? {
        let id: UInt64 = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Element?, any Error>) in
                let now = clock.now()
                let (result, effects): (Result<Element?, any Error>?, Effects) = state.withLock { state in
                    var effects = Effects()
                    switch state.policy.take(now: now) {
                    case .element(let element, _, let resumeProducers):
                        if resumeProducers {
                            effects.wakeProducers = state.producers.map(\.waiter)
                            state.producers.removeAll()
                        }
                        return (.success(element), effects)
                    case .finished:
                        return (.success(nil), effects)
                    case .failed(let error):
                        return (.failure(error), effects)
                    case .suspend:
                        if Task.isCancelled {
                            state.policy.consumerLeft()
                            return (.success(nil), effects)
                        }
                        state.consumers.append((id, continuation))
                        return (nil, effects)
                    }
                }
                effects.perform(onDrop: onDrop)
                if let result { continuation.resume(with: result) }
            }
        } onCancel: {
            // The consumer is gone: nobody will drain the channel, so stop it (its `next()` returns nil).
            cancel()
        }
    }

    /// Iterates the channel; see `next()`.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let channel: BoundedChannel<Element>

        public mutating func next() async throws -> Element? {
            try await channel.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(channel: self) }
}
