@testable import clipseg
import Pipeline
import XCTest

final class ProgressTextTests: XCTestCase {
    private let halfway = ProgressSnapshot(framesRead: 160, framesProcessed: 150, dropped: 0, elapsed: 6.1,
                                           captureFPS: nil, processedFPS: 24.6)

    func testClock() {
        XCTAssertEqual(ProgressText.clock(0), "0:00")
        XCTAssertEqual(ProgressText.clock(6.4), "0:06")
        XCTAssertEqual(ProgressText.clock(59.6), "1:00")
        XCTAssertEqual(ProgressText.clock(3725), "1:02:05")
        XCTAssertEqual(ProgressText.clock(nil), "--:--")
        XCTAssertEqual(ProgressText.clock(.infinity), "--:--")
        XCTAssertEqual(ProgressText.clock(-1), "--:--")
    }

    func testFileBar() {
        XCTAssertEqual(ProgressText.fileBar(halfway, totalFrames: 300),
                       "[############------------]  50%  150/300 frames  24.6 fps  ETA 0:06")
        XCTAssertEqual(ProgressText.fileBar(halfway, totalFrames: nil), "150 frames  24.6 fps  0:06 elapsed")
        var start = halfway
        start.framesProcessed = 0
        start.processedFPS = nil
        XCTAssertEqual(ProgressText.fileBar(start, totalFrames: 300),
                       "[------------------------]   0%  0/300 frames  -- fps  ETA --:--")
        var over = halfway
        over.framesProcessed = 310  // the container's count was short
        XCTAssertEqual(ProgressText.fileBar(over, totalFrames: 300),
                       "[########################] 100%  310/300 frames  24.6 fps  ETA 0:00")
    }

    func testFileLine() {
        XCTAssertEqual(ProgressText.fileLine(halfway, totalFrames: 300), "progress: 150/300 frames (50%), 24.6 fps, ETA 0:06")
        XCTAssertEqual(ProgressText.fileLine(halfway, totalFrames: nil), "progress: 150 frames, 24.6 fps, 0:06 elapsed")
    }

    func testLiveStatus() {
        let live = ProgressSnapshot(framesRead: 900, framesProcessed: 240, dropped: 45, elapsed: 30,
                                    captureFPS: 30, processedFPS: 7.5, latencyP50: 0.1204, latencyP95: 0.18)
        XCTAssertEqual(ProgressText.liveStatus(live),
                       "live: capture 30.0 fps, processed 7.5 fps, dropped 45, latency p50 120 ms p95 180 ms")
        XCTAssertEqual(ProgressText.liveStatus(ProgressSnapshot()),
                       "live: capture -- fps, processed -- fps, dropped 0, latency p50 -- ms p95 -- ms")
    }

    func testSummaries() {
        let file = ProgressSnapshot(framesRead: 300, framesProcessed: 300, elapsed: 12.3)
        XCTAssertEqual(ProgressText.summary(file, live: false), "done: 300 frames in 0:12 (24.4 fps)")
        var dropped = file
        dropped.dropped = 3
        XCTAssertEqual(ProgressText.summary(dropped, live: false, interrupted: true),
                       "interrupted: 300 frames in 0:12 (24.4 fps), 3 dropped")
        let live = ProgressSnapshot(framesRead: 900, framesProcessed: 240, dropped: 660, elapsed: 30,
                                    latencyP50: 0.12, latencyP95: 0.18)
        XCTAssertEqual(ProgressText.summary(live, live: true),
                       "done: captured 900 frames in 0:30 (30.0 fps), processed 240 (8.0 fps), dropped 660, "
                       + "latency p50 120 ms p95 180 ms")
        XCTAssertEqual(ProgressText.summary(ProgressSnapshot(), live: false), "done: 0 frames in 0:00 (-- fps)")
    }
}

final class ProgressReporterTests: XCTestCase {
    private func snapshot(_ processed: Int) -> ProgressSnapshot {
        ProgressSnapshot(framesRead: processed, framesProcessed: processed, elapsed: Double(processed) / 10,
                         processedFPS: 10)
    }

    func testTerminalRedrawsInPlaceAtMostEveryInterval() {
        var reporter = ProgressReporter(source: .file(totalFrames: 100), isTerminal: true, terminalInterval: 0.25)
        XCTAssertEqual(reporter.update(snapshot(0), now: 0),
                       "\r[------------------------]   0%  0/100 frames  10.0 fps  ETA 0:10\u{1B}[K")
        XCTAssertNil(reporter.update(snapshot(1), now: 0.1))
        XCTAssertNil(reporter.update(snapshot(2), now: 0.2))
        XCTAssertEqual(reporter.update(snapshot(3), now: 0.3),
                       "\r[------------------------]   3%  3/100 frames  10.0 fps  ETA 0:10\u{1B}[K")
        XCTAssertEqual(reporter.finish(snapshot(100)), "\r\u{1B}[Kdone: 100 frames in 0:10 (10.0 fps)\n")
    }

    func testPlainOutputIsAPeriodicLine() {
        var reporter = ProgressReporter(source: .file(totalFrames: nil), isTerminal: false, plainInterval: 5)
        var lines: [String] = []
        for tenth in 0...120 {
            if let text = reporter.update(snapshot(tenth), now: Double(tenth) / 10) { lines.append(text) }
        }
        XCTAssertEqual(lines, [
            "progress: 50 frames, 10.0 fps, 0:05 elapsed\n",
            "progress: 100 frames, 10.0 fps, 0:10 elapsed\n",
        ])
        XCTAssertEqual(reporter.finish(snapshot(120)), "done: 120 frames in 0:12 (10.0 fps)\n")
    }

    func testLiveStatusLine() {
        var reporter = ProgressReporter(source: .live, isTerminal: true)
        let text = reporter.update(ProgressSnapshot(framesRead: 30, framesProcessed: 8, dropped: 22, elapsed: 1,
                                                    captureFPS: 30, processedFPS: 8, latencyP50: 0.2, latencyP95: 0.25),
                                   now: 5)
        XCTAssertEqual(text, "\rlive: capture 30.0 fps, processed 8.0 fps, dropped 22, latency p50 200 ms p95 250 ms\u{1B}[K")
        let summary = reporter.finish(ProgressSnapshot(framesRead: 30, framesProcessed: 8, dropped: 22, elapsed: 1),
                                      interrupted: true)
        XCTAssertEqual(summary, "\r\u{1B}[Kinterrupted: captured 30 frames in 0:01 (30.0 fps), processed 8 (8.0 fps), "
                       + "dropped 22, latency p50 -- ms p95 -- ms\n")
    }

    func testNoSummaryClearingWhenNothingWasDrawn() {
        var reporter = ProgressReporter(source: .file(totalFrames: 10), isTerminal: true)
        XCTAssertEqual(reporter.finish(snapshot(10)), "done: 10 frames in 0:01 (10.0 fps)\n")
    }
}
