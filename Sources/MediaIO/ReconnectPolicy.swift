import Foundation

/// How a lost live stream is reopened: how many attempts in a row, and the capped exponential back-off
/// between them (`firstDelay`, doubling up to `maximumDelay`, seconds).
public struct ReconnectPolicy: Sendable, Equatable {
    /// Attempts after each loss before giving up; nil tries for ever; 0 never reopens.
    public var attempts: Int?
    public var firstDelay: Double
    public var maximumDelay: Double

    public init(attempts: Int?, firstDelay: Double = 0.25, maximumDelay: Double = 1) {
        self.attempts = attempts
        self.firstDelay = firstDelay
        self.maximumDelay = maximumDelay
    }

    /// A lost stream ends the run.
    public static let never = ReconnectPolicy(attempts: 0)

    /// Seconds to wait before attempt `number` (1-based): `firstDelay`, doubled each time, at most `maximumDelay`.
    public func delay(beforeAttempt number: Int) -> Double {
        min(maximumDelay, firstDelay * pow(2, Double(max(0, number - 1))))
    }

    /// True when attempt `number` (1-based) may be made.
    func allows(attempt number: Int) -> Bool {
        attempts.map { number <= $0 } ?? true
    }
}

/// What happened to a live stream's connection, for the statistics output and the terminal.
public enum ConnectionEvent: Sendable, Equatable {
    /// The stream was lost after the frame at `time` (seconds on the run's time line); `reason` says how.
    case disconnected(time: Double, reason: String)
    /// The stream is back: its first frame continues the time line at `time`, `gap` seconds of wall time
    /// after the loss, after `attempts` attempts.
    case reconnected(time: Double, gap: Double, attempts: Int)
    /// Reopening was given up after `attempts` attempts.
    case gaveUp(attempts: Int, reason: String)
}
