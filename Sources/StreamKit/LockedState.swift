import Foundation

/// A value guarded by a mutex, for state shared between threads and tasks.
///
/// Critical sections must be short and must never block, suspend or call back into unknown code:
/// collect what to do inside, do it after unlocking.
public final class LockedState<State>: @unchecked Sendable {
    private let lock = NSLock()
    private var state: State

    /// Guards `state`.
    public init(_ state: State) { self.state = state }

    /// Runs `body` with the value, holding the mutex.
    public func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}
