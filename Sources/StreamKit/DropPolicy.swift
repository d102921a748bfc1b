/// How a bounded queue behaves when its producer is faster than its consumer.
public enum DropMode: Sendable, Equatable {
    /// Never drop: a full queue makes the producer wait (files; and every queue into a writer).
    case lossless
    /// Keep only the newest items: offering into a full queue drops the oldest one, counted as dropped
    /// (the queue in front of the vision encoder for cameras, network streams and `--realtime`).
    case latestWins
}

/// What a queue has seen so far. Invariant while open:
/// `offered == processed + dropped + discarded + depth` (offers refused after close are counted apart).
public struct DropCounters: Sendable, Equatable {
    /// Items the queue accepted (handed off, enqueued, or enqueued and later dropped).
    public var offered = 0
    /// Items handed to a consumer.
    public var processed = 0
    /// Items dropped as stale by `latestWins` (never by `lossless`).
    public var dropped = 0
    /// Items thrown away by `cancel()` without being processed.
    public var discarded = 0
    /// Offers refused because the queue was already closed.
    public var refused = 0
    /// Times a producer was told to wait (lossless back-pressure).
    public var producerBlocks = 0
    /// Largest number of items held at once.
    public var maxDepth = 0
    /// Sum and maximum of the time processed items spent queued, in seconds (0 for hand-offs).
    public var totalWait = 0.0
    public var maxWait = 0.0

    public init() {}
}

/// The one place frames are dropped: a value-type state machine for a bounded queue.
///
/// It holds the queued items with the time each was offered, decides what happens on every event
/// (an offer, a consumer asking for an item, the end of input, cancellation) and counts what it did.
/// It never blocks, sleeps or reads a clock: times come in as parameters (seconds, from a
/// `MonotonicClock`), so tests drive it with fixed numbers. `BoundedChannel` applies its actions with
/// real continuations and threads.
///
/// Lifecycle: open → finished / failed (the buffer still drains to the consumer, then it ends) or
/// cancelled (the buffer is discarded at once). Producers offering after close are refused.
public struct DropPolicy<Element> {
    /// What to do with an offered element.
    public enum OfferAction {
        /// A consumer was waiting: give it this element now (it counts as processed).
        case handOff(Element)
        /// The element was queued.
        case enqueued
        /// The element was queued and these older elements were dropped to make room, oldest first
        /// (`latestWins` only). Recycle or log them; they are already counted.
        case enqueuedDropping([Element])
        /// The queue is full (`lossless`): the element was NOT taken. Wait until a consumer takes an item
        /// or the queue closes, then offer it again.
        case blockProducer
        /// The queue is closed; the element was not taken and never will be.
        case refused
    }

    /// What a consumer asking for an item gets.
    public enum TakeAction {
        /// The oldest queued element and how long it waited, in seconds. When `resumeProducers` is true
        /// a producer is waiting for room and must be woken.
        case element(Element, waited: Double, resumeProducers: Bool)
        /// Nothing queued: the consumer waits (it is now counted in `waitingConsumers`); the next offer
        /// hands off to it, or closing ends it.
        case suspend
        /// Input ended and everything was delivered.
        case finished
        /// Input failed with this error after everything queued before it was delivered.
        case failed(any Error)
    }

    /// What closing the queue asks the caller to do.
    public struct CloseAction {
        /// Consumers that were waiting: end each (with `nil`, or with `error` when failing).
        public var resumeConsumers: Int
        /// Waiting producers must be woken (their next offer is refused).
        public var resumeProducers: Bool
        /// Items thrown away (only `cancel()`), oldest first.
        public var discarded: [Element]
        /// The error consumers get, when closing with `fail`.
        public var error: (any Error)?
    }

    private enum State {
        case open
        case finished
        case failed(any Error)
        case cancelled
    }

    public let mode: DropMode
    /// Most items held at once (at least 1).
    public let capacity: Int
    public private(set) var counters = DropCounters()
    /// Consumers currently waiting for an item.
    public private(set) var waitingConsumers = 0
    /// Producers told to wait that have not been woken yet.
    public private(set) var blockedProducers = 0

    private var buffer: [(element: Element, offeredAt: Double)] = []
    private var state = State.open

    /// A queue of at most `capacity` items (values below 1 are raised to 1).
    public init(mode: DropMode, capacity: Int) {
        self.mode = mode
        self.capacity = max(1, capacity)
        buffer.reserveCapacity(self.capacity)
    }

    /// Items queued now.
    public var depth: Int { buffer.count }
    /// True once `finish`, `fail` or `cancel` was called.
    public var isClosed: Bool { if case .open = state { false } else { true } }
    /// True after `cancel()`.
    public var isCancelled: Bool { if case .cancelled = state { true } else { false } }

    /// The item a consumer would get last of those queued now (nil when empty).
    public var newest: Element? { buffer.last?.element }

    /// Seconds the oldest queued item has waited at `now` (0 when empty).
    public func oldestAge(now: Double) -> Double {
        guard let first = buffer.first else { return 0 }
        return max(0, now - first.offeredAt)
    }

    /// A producer offers `element` at time `now` (seconds).
    public mutating func offer(_ element: Element, now: Double) -> OfferAction {
        guard case .open = state else {
            counters.refused += 1
            return .refused
        }
        if waitingConsumers > 0 {
            // Nothing can be queued while a consumer waits: hand the element straight over.
            waitingConsumers -= 1
            counters.offered += 1
            counters.processed += 1
            return .handOff(element)
        }
        if buffer.count < capacity {
            append(element, now: now)
            return .enqueued
        }
        switch mode {
        case .lossless:
            counters.producerBlocks += 1
            blockedProducers += 1
            return .blockProducer
        case .latestWins:
            let excess = buffer.count - capacity + 1
            let stale = buffer.prefix(excess).map(\.element)
            buffer.removeFirst(excess)
            counters.dropped += stale.count
            append(element, now: now)
            return .enqueuedDropping(stale)
        }
    }

    /// A consumer asks for the next item at time `now` (seconds).
    public mutating func take(now: Double) -> TakeAction {
        if !buffer.isEmpty, !isCancelled {
            let (element, offeredAt) = buffer.removeFirst()
            let waited = max(0, now - offeredAt)
            counters.processed += 1
            counters.totalWait += waited
            counters.maxWait = max(counters.maxWait, waited)
            let wake = blockedProducers > 0
            blockedProducers = 0
            return .element(element, waited: waited, resumeProducers: wake)
        }
        switch state {
        case .open:
            waitingConsumers += 1
            return .suspend
        case .finished, .cancelled:
            return .finished
        case .failed(let error):
            return .failed(error)
        }
    }

    /// A waiting consumer gave up (its task was cancelled) before anything arrived.
    public mutating func consumerLeft() {
        waitingConsumers = max(0, waitingConsumers - 1)
    }

    /// Input ended normally: queued items still drain, then consumers see the end.
    public mutating func finish() -> CloseAction {
        close(to: .finished, error: nil)
    }

    /// Input failed: queued items still drain, then consumers get `error`.
    public mutating func fail(_ error: any Error) -> CloseAction {
        close(to: .failed(error), error: error)
    }

    /// Stop now: queued items are discarded (counted), consumers end, producers are refused.
    public mutating func cancel() -> CloseAction {
        guard !isCancelled else {
            return CloseAction(resumeConsumers: 0, resumeProducers: false, discarded: [], error: nil)
        }
        let thrown = buffer.map(\.element)
        counters.discarded += thrown.count
        buffer.removeAll()
        state = .cancelled
        return takeWaiters(discarded: thrown, error: nil)
    }

    private mutating func close(to newState: State, error: (any Error)?) -> CloseAction {
        guard case .open = state else {
            return CloseAction(resumeConsumers: 0, resumeProducers: false, discarded: [], error: nil)
        }
        state = newState
        return takeWaiters(discarded: [], error: error)
    }

    private mutating func takeWaiters(discarded: [Element], error: (any Error)?) -> CloseAction {
        let action = CloseAction(resumeConsumers: waitingConsumers, resumeProducers: blockedProducers > 0,
                                 discarded: discarded, error: error)
        waitingConsumers = 0
        blockedProducers = 0
        return action
    }

    private mutating func append(_ element: Element, now: Double) {
        buffer.append((element, now))
        counters.offered += 1
        counters.maxDepth = max(counters.maxDepth, buffer.count)
    }
}

extension DropPolicy: Sendable where Element: Sendable {}
extension DropPolicy.OfferAction: Sendable where Element: Sendable {}
