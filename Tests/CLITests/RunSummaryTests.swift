import XCTest
@testable import Pipeline

/// The summary's counts line, which scripts parse (Tools/reliability.sh, Benchmarks/our_binary.py), and
/// the latency percentiles behind it.
final class RunSummaryTests: XCTestCase {
    func testCountsLineEndsWithTheThreeLatencyPercentiles() {
        var figures = RunMonitor.Figures()
        figures.processed = 7
        figures.written = 9
        figures.visionRuns = 7
        figures.decoderRuns = 7
        figures.latencyP50 = 0.0414
        figures.latencyP95 = 0.0576
        figures.latencyP99 = 0.0631
        XCTAssertEqual(RunSummary.countsLine(framesRead: 9, dropped: 2, figures: figures),
                       "frames: read 9, processed 7, dropped 2, written 9; vision encoder runs 7, decoder runs 7; "
                       + "latency p50 41 ms p95 58 ms p99 63 ms")
        XCTAssertEqual(RunSummary.countsLine(framesRead: 0, dropped: 0, figures: RunMonitor.Figures()),
                       "frames: read 0, processed 0, dropped 0, written 0; vision encoder runs 0, decoder runs 0; "
                       + "latency p50 -- ms p95 -- ms p99 -- ms")
    }

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
