/// What happened to each captured frame on the model side, for the compose stage that writes frames in
/// capture order: the frame was either **processed** (its result is here) or **dropped** by the
/// latest-wins queue before the vision encoder (the writer then reuses the most recent mask).
///
/// Producers (`resolve`) are the last model stage (in clipseg: the mask decoder stage) and the queue's drop
/// callback, in any order; the one consumer asks for frames in capture order (`outcome(of:)`) and waits
/// until the frame is resolved. An entry is removed when it is read, so the ledger holds only frames in
/// flight (a few). `fail` makes every present and future wait throw.
public final class FrameLedger<Result: Sendable>: Sendable {
    /// The fate of one frame.
    public enum Outcome: Sendable {
        case processed(Result)
        case dropped
    }

    private struct State {
        var outcomes: [Int: Outcome] = [:]
        var waiter: (index: Int, continuation: CheckedContinuation<Outcome, any Error>)?
        var failure: (any Error)?
    }

    private let state = LockedState(State())

    public init() {}

    /// Records the fate of frame `index` (its `RGBFrame.index`) and wakes the consumer if it waits for it.
    public func resolve(_ index: Int, _ outcome: Outcome) {
        let wake = state.withLock { state -> CheckedContinuation<Outcome, any Error>? in
            if let waiter = state.waiter, waiter.index == index {
                state.waiter = nil
                return waiter.continuation
            }
            state.outcomes[index] = outcome
            return nil
        }
        wake?.resume(returning: outcome)
    }

    /// Waits for the fate of frame `index` and removes it from the ledger. One waiter at a time.
    /// Throws the error given to `fail`.
    public func outcome(of index: Int) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Swift.Result<Outcome, any Error>? in
                if let outcome = state.outcomes.removeValue(forKey: index) { return .success(outcome) }
                if let failure = state.failure { return .failure(failure) }
                precondition(state.waiter == nil, "FrameLedger: two consumers wait at once")
                state.waiter = (index, continuation)
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// The model side failed: the waiting consumer and every later `outcome(of:)` for an unresolved
    /// frame throw `error`. Frames already resolved can still be read.
    public func fail(_ error: any Error) {
        let wake = state.withLock { state -> CheckedContinuation<Outcome, any Error>? in
            if state.failure == nil { state.failure = error }
            defer { state.waiter = nil }
            return state.waiter?.continuation
        }
        wake?.resume(throwing: error)
    }

    /// Frames resolved but not read yet.
    public var pendingCount: Int { state.withLock { $0.outcomes.count } }
}
