import Pipeline
import StreamKit
import XCTest

/// The latency percentiles behind the summary's counts line (`RunSummaryTests` in CLITests).
final class RunMonitorTests: XCTestCase {
    func testMonitorReportsNearestRankPercentilesOfMeasuredLatencies() {
        let clock = ManualClock()
        let monitor = RunMonitor(clock: clock)
        // Latencies 1, 2, …, 200 ms, in a scrambled order (the tracker sorts).
        for step in 0..<200 {
            let milliseconds = Double((step * 77) % 200 + 1)
            let captured = clock.now()
            monitor.recordCapture(at: captured)
            clock.advance(by: milliseconds / 1000)
            monitor.recordProcessed(capturedAt: captured)
        }
        let figures = monitor.figures
        XCTAssertEqual(figures.processed, 200)
        XCTAssertEqual(try XCTUnwrap(figures.latencyP50), 0.100, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(figures.latencyP95), 0.190, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(figures.latencyP99), 0.198, accuracy: 1e-9)
    }
}
