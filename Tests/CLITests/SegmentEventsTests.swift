import Foundation
import TestSupport
import XCTest

/// `--events` end to end with the trained sample model: on every 8th frame of the sample video the yellow
/// square comes (around frame 48) and goes (around frame 200), the blue circle is there from the start and
/// stays, and each event's figures are those of the same run's statistics line for its frame.
final class SegmentEventsTests: XCTestCase {
    func testAShapeThatComesAndGoesGivesOneEventEach() throws {
        let folder = try TemporaryDirectory(prefix: "clipseg-segment-events")
        defer { folder.remove() }
        let samples = TestPaths.samples
        let clip = folder.path("every-8th.mkv").path
        let cut = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-i", samples.appendingPathComponent("videos/shapes.mp4").path,
                                                      "-vf", "select=not(mod(n\\,8))", "-fps_mode", "vfr",
                                                      "-c:v", "libx264", "-qp", "0", clip])
        XCTAssertEqual(cut.status, 0, cut.stderrText)
        let events = folder.path("events.ndjson"), stats = folder.path("stats.ndjson")
        let result = try SegmentTestKit.run([clip, "--model", samples.appendingPathComponent("models/shapes").path,
                                             "--prompt", "yellow square", "--prompt", "blue circle", "--event-frames", "2",
                                             "--events", events.path, "--stats", stats.path], timeout: 600)
        XCTAssertEqual(result.status, 0, result.stderrText)
        let lines = try String(contentsOf: events, encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(lines.map { "\($0["event"]!) \($0["prompt"]!)" },
                       ["appeared blue circle", "appeared yellow square", "disappeared yellow square"])
        guard lines.count == 3 else { return }
        // Ground truth (Samples/videos/shapes-masks): the square is on from frame 48 (the 7th of every 8th,
        // index 6) and off from frame 200 (index 25).
        let since = lines.map { $0["since_frame"] as? Int ?? -1 }
        XCTAssertEqual(since[0], 0)
        XCTAssertTrue((5...7).contains(since[1]), "appeared since \(since[1])")
        XCTAssertTrue((24...26).contains(since[2]), "disappeared since \(since[2])")
        XCTAssertEqual(lines.map { $0["frame"] as? Int ?? -1 }, since.map { $0 + 1 }, "two frames in a row confirm")
        let statistics = try SegmentTestKit.statistics(stats)
        for line in lines {
            let frame = try XCTUnwrap(line["frame"] as? Int)
            let prompts = try XCTUnwrap(statistics[frame]["prompts"] as? [[String: Any]])
            let entry = prompts.first { $0["prompt"] as? String == line["prompt"] as? String }
            XCTAssertEqual(line["coverage"] as? Double, entry?["coverage"] as? Double, "frame \(frame)")
            XCTAssertEqual(line["time"] as? Double, statistics[frame]["time"] as? Double, "frame \(frame)")
        }
    }
}
