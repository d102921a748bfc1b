@testable import clipseg
import Pipeline
import XCTest

/// The summary's counts line, which scripts parse (Tools/reliability.sh, Benchmarks/our_binary.py), and
/// the latency percentiles behind it.
final class RunSummaryTests: XCTestCase {
    func testCountsLineEndsWithTheThreeLatencyPercentiles() {
        var figures = RunMonitor.Figures()
        figures.processed = 7
        figures.written = 9
        figures.visionRuns = 7
        figures.maskDecoderRuns = 7
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

    func testCountsLineEndsWithTheMovedMasksWhenMotionWasFollowed() {
        var figures = RunMonitor.Figures()
        figures.processed = 3
        figures.written = 9
        figures.reusedMasks = 6
        figures.movedMasks = 6
        figures.meanTokensRecomputed = 0.31
        let line = RunSummary.countsLine(framesRead: 9, dropped: 6, figures: figures)
        XCTAssertTrue(line.hasPrefix("frames: read 9, processed 3, dropped 6, written 9; "), line)
        XCTAssertTrue(line.hasSuffix("; tokens recomputed 31%; masks moved 6"), line)
    }
}
