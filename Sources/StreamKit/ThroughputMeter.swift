/// Events per second (frames captured, frames processed) over a sliding time window.
///
/// The rate is `(n − 1) / (newest − oldest)` over the `n` events no older than `window` seconds before
/// `now`: it does not depend on where the window starts, and is nil with fewer than two events (a stall).
public struct ThroughputMeter: Sendable {
    /// Window length in seconds.
    public let window: Double
    private var times: [Double] = []
    private var head = 0
    /// Events recorded since the start.
    public private(set) var totalCount = 0
    /// Time of the first event ever, seconds.
    public private(set) var firstTime: Double?

    public init(window: Double = 2) {
        self.window = window > 0 ? window : 2
    }

    /// Records one event at `time` (seconds, non-decreasing).
    public mutating func record(at time: Double) {
        totalCount += 1
        if firstTime == nil { firstTime = time }
        times.append(time)
        prune(now: time)
    }

    /// Events per second over the window ending at `now`; nil with fewer than two events in it.
    public func rate(now: Double) -> Double? {
        let recent = times[head...].drop { $0 < now - window }
        guard recent.count >= 2, let oldest = recent.first, let newest = recent.last, newest > oldest else { return nil }
        return Double(recent.count - 1) / (newest - oldest)
    }

    /// Events per second from the first event to `now` over the whole run; nil before any time has passed.
    public func averageRate(now: Double) -> Double? {
        guard let firstTime, now > firstTime else { return nil }
        return Double(totalCount) / (now - firstTime)
    }

    private mutating func prune(now: Double) {
        while head < times.count && times[head] < now - window { head += 1 }
        if head > 64 && head * 2 > times.count {
            times.removeFirst(head)
            head = 0
        }
    }
}
