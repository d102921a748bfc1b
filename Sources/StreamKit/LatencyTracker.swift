/// Percentiles of recent latencies (capture → mask), over a sliding window of the last `capacity` samples.
///
/// Percentiles use the nearest-rank method: the p-th percentile of n sorted samples is the sample at
/// rank `ceil(p / 100 · n)` (1-based), so it is always one of the measured values.
public struct LatencyTracker: Sendable {
    /// Samples kept (the window), at least 1.
    public let capacity: Int
    private var samples: [Double] = []
    private var next = 0
    /// Samples recorded since the start (not only those in the window).
    public private(set) var totalCount = 0

    public init(capacity: Int = 300) {
        self.capacity = max(1, capacity)
        samples.reserveCapacity(self.capacity)
    }

    /// Adds one latency in seconds (negative or non-finite values are ignored).
    public mutating func record(_ seconds: Double) {
        guard seconds.isFinite, seconds >= 0 else { return }
        totalCount += 1
        if samples.count < capacity {
            samples.append(seconds)
        } else {
            samples[next] = seconds
            next = (next + 1) % capacity
        }
    }

    /// Samples in the window now.
    public var count: Int { samples.count }

    /// The `percent`-th percentile (0…100) of the window, seconds; nil when empty.
    public func percentile(_ percent: Double) -> Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let rank = Int((min(max(percent, 0), 100) / 100 * Double(sorted.count)).rounded(.up))
        return sorted[max(rank, 1) - 1]
    }

    public var p50: Double? { percentile(50) }
    public var p95: Double? { percentile(95) }
    public var p99: Double? { percentile(99) }
}
