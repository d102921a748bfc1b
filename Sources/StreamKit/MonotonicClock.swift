#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A source of monotonic time in seconds, injected wherever the pipeline measures time
/// (queue waits, latency, frame rates, progress lines) so that tests can drive time by hand.
///
/// Values only mean something relative to each other (the origin is arbitrary); they never go backwards.
public protocol MonotonicClock: Sendable {
    /// Seconds since an arbitrary fixed origin.
    func now() -> Double
}

/// The real clock: `CLOCK_MONOTONIC` in seconds (not affected by wall-clock changes).
public struct SystemClock: MonotonicClock {
    public init() {}

    public func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
    }
}

/// A clock that only moves when told to: for tests and for replaying recorded timings.
///
/// Thread-safe; share one instance between the code under test and the test.
public final class ManualClock: MonotonicClock, @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: Double

    /// A clock reading `start` seconds.
    public init(start: Double = 0) { seconds = start }

    public func now() -> Double {
        lock.lock(); defer { lock.unlock() }
        return seconds
    }

    /// Moves the clock forward by `delta` seconds (negative values are ignored: time never goes back).
    public func advance(by delta: Double) {
        lock.lock(); defer { lock.unlock() }
        if delta > 0 { seconds += delta }
    }
}
