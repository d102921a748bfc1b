/// A small thread-safe stack of buffers handed back after use, so a stage can reuse their storage
/// instead of allocating per frame (the preprocess stage's pixel-value tensors, returned by the vision
/// stage after encoding and by the latest-wins queue when it drops a frame).
///
/// Holds at most `capacity` items; extra ones are released. Items must be uniquely referenced when
/// given back (the giver keeps no copy), or reusing them copies.
public final class RecyclingPool<Item: Sendable>: Sendable {
    public let capacity: Int
    private let items = LockedState<[Item]>([])
    private let counts = LockedState((taken: 0, reused: 0))

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// A returned item, or nil when none is waiting.
    public func take() -> Item? {
        let item = items.withLock { $0.popLast() }
        counts.withLock { counts in
            counts.taken += 1
            if item != nil { counts.reused += 1 }
        }
        return item
    }

    /// Hands `item` back for reuse (dropped when the pool is full).
    public func giveBack(_ item: Item) {
        items.withLock { items in
            if items.count < capacity { items.append(item) }
        }
    }

    /// Items waiting now.
    public var count: Int { items.withLock { $0.count } }

    /// How many `take()` calls there were and how many of them got a recycled item.
    public var statistics: (taken: Int, reused: Int) { counts.withLock { $0 } }
}
