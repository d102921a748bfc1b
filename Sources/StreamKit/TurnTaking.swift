import Dispatch
import Foundation

/// Two stages that take turns on the same cores: the upstream stage hands an item to the downstream stage
/// and waits until that item is finished before it takes its next one.
///
/// Overlapping the two gives throughput: the downstream stage works on item N while the upstream stage
/// works on item N+1. When the latency of each item is what counts, overlapping costs: both share the
/// cores, so item N comes out later and item N+1 is processed more slowly. Taking turns, the downstream
/// stage runs alone on every core it uses, and the upstream stage picks its next item once it is done, so
/// that item is the newest one at that moment. (In clipseg's live runs: the vision stage waits for the
/// mask decoder stage, which then runs on all model threads for a few milliseconds.)
///
/// The downstream stage calls `itemFinished()` once per item it finishes and `downstreamStopped()` when it
/// stops for any reason, so a waiting upstream stage never waits for a stage that is gone.
public final class TurnTaking: Sendable {
    private let finishedItems = DispatchSemaphore(value: 0)
    private let stopped = LockedState(false)

    public init() {}

    /// Downstream side: the item handed over is finished; the upstream stage may take its next one.
    public func itemFinished() { finishedItems.signal() }

    /// Downstream side: no more items will be finished (wakes a waiting upstream stage, and every later wait).
    public func downstreamStopped() {
        stopped.withLock { $0 = true }
        finishedItems.signal()
    }

    /// Upstream side, on its dedicated thread: blocks until the item just handed over is finished or the
    /// downstream stage has stopped.
    public func waitForTurn() {
        if stopped.withLock({ $0 }) { return }
        finishedItems.wait()
        if stopped.withLock({ $0 }) { finishedItems.signal() }
    }
}
