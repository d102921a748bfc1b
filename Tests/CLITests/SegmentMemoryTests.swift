import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Memory stays flat over a long live run with a slow model: every queue is bounded and the frames the
/// model cannot keep up with are dropped, not piled up. Resident memory of the real binary is read at
/// about 10 s and 60 s into a `--realtime` run (frames dropped all along) and must agree within 5 %.
///
/// Takes about 65 s of wall time (one core busy). Set CLIPSEG_SKIP_SOAK=1 to skip it.
final class SegmentMemoryTests: XCTestCase {
    func testResidentMemoryIsFlatOverALongRealtimeRunThatDrops() throws {
        if ProcessInfo.processInfo.environment["CLIPSEG_SKIP_SOAK"] == "1" {
            throw XCTSkip("CLIPSEG_SKIP_SOAK=1")
        }
        let folder = try TemporaryDirectory(prefix: "clipseg-segment-memory")
        defer { folder.remove() }
        let model = try SegmentTestKit.makeModel(in: folder)
        let clip = folder.path("long.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 75, rate: 25)
        let run = try RunningSegment([clip.path, "--model", model, "--prompt", "cat", "--prompt", "a dog",
                                      "--realtime", "--size", "512", "--threads", "1",
                                      "-o", folder.path("out.mp4").path, "--masks", folder.path("masks.y4m").path,
                                      "--stats", folder.path("stats.ndjson").path], folder: folder)
        let start = Date()
        func residentAt(_ seconds: Double) -> Int? {
            while Date().timeIntervalSince(start) < seconds && run.process.isRunning { usleep(50_000) }
            return run.residentKiB
        }
        let early = try XCTUnwrap(residentAt(10), "exited early: \(run.stderrText)")
        let late = try XCTUnwrap(residentAt(60), "exited early: \(run.stderrText)")
        run.send(SIGINT)
        let (status, stderr) = run.finish()
        XCTAssertEqual(status, 130, stderr)
        let counts = try SegmentTestKit.counts(in: stderr)
        XCTAssertGreaterThan(counts.dropped, counts.read / 2, "the model must be slower than the clip: \(stderr)")
        XCTAssertEqual(counts.written, counts.read)
        XCTAssertLessThan(abs(Double(late - early)) / Double(early), 0.05,
                          "resident memory went from \(early) KiB at 10 s to \(late) KiB at 60 s")
    }
}
