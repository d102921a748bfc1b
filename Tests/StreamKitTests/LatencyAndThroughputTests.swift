import XCTest
@testable import StreamKit

final class LatencyAndThroughputTests: XCTestCase {
    func testPercentilesByNearestRank() {
        var tracker = LatencyTracker(capacity: 100)
        XCTAssertNil(tracker.p50)
        for ms in 1...100 { tracker.record(Double(ms) / 1000) }
        XCTAssertEqual(tracker.p50, 0.050)
        XCTAssertEqual(tracker.p95, 0.095)
        XCTAssertEqual(tracker.p99, 0.099)
        XCTAssertEqual(tracker.percentile(100), 0.100)
        XCTAssertEqual(tracker.percentile(0), 0.001)
    }

    func testWindowKeepsOnlyRecentSamples() {
        var tracker = LatencyTracker(capacity: 4)
        for value in [9.0, 9.0, 9.0, 9.0, 1.0, 2.0, 3.0, 4.0] { tracker.record(value) }
        XCTAssertEqual(tracker.count, 4)
        XCTAssertEqual(tracker.totalCount, 8)
        XCTAssertEqual(tracker.p50, 2.0)
        XCTAssertEqual(tracker.percentile(100), 4.0)
        tracker.record(-1)
        tracker.record(.nan)
        XCTAssertEqual(tracker.totalCount, 8, "invalid samples are ignored")
    }

    func testSmallWindowPercentiles() {
        var tracker = LatencyTracker()
        tracker.record(0.2)
        XCTAssertEqual(tracker.p50, 0.2)
        XCTAssertEqual(tracker.p99, 0.2)
        tracker.record(0.1)
        XCTAssertEqual(tracker.p50, 0.1)
        XCTAssertEqual(tracker.p95, 0.2)
    }

    func testThroughputOverTheWindow() {
        var meter = ThroughputMeter(window: 2)
        XCTAssertNil(meter.rate(now: 0))
        // 10 fps for 3 s, then a stall.
        for i in 0...30 { meter.record(at: 10 + Double(i) * 0.1) }
        XCTAssertEqual(meter.rate(now: 13.0) ?? 0, 10, accuracy: 1e-9)
        XCTAssertEqual(meter.totalCount, 31)
        XCTAssertEqual(meter.rate(now: 14.5) ?? 0, 10, accuracy: 1e-9, "the last 0.5 s of events still in the window")
        XCTAssertNil(meter.rate(now: 20), "nothing in the last 2 s: no rate")
        XCTAssertEqual(meter.averageRate(now: 13.1) ?? 0, 31 / 3.1, accuracy: 1e-9)
        // Speeding up to 30 fps shows within the window.
        for i in 1...60 { meter.record(at: 20 + Double(i) / 30) }
        XCTAssertEqual(meter.rate(now: 22) ?? 0, 30, accuracy: 1e-6)
    }
}
