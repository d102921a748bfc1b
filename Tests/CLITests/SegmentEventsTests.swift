import Foundation
import TestSupport
import XCTest

/// `--events` end to end with the trained sample model: on every 8th frame of the sample video the yellow
/// square comes (around frame 48) and goes (around frame 200), the blue circle is there from the start and
/// stays, and each event's figures are those of the same run's statistics line for its frame. The same run
/// records the square's appearance (`--record-when`): one clip from 0.5 s before it appeared to 0.5 s after it
/// left, numbered after a clip already in the folder (left as it was).
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
        let events = folder.path("events.ndjson"), stats = folder.path("stats.ndjson"), clips = folder.path("clips")
        try FileManager.default.createDirectory(at: clips, withIntermediateDirectories: true)
        try Data("an earlier clip".utf8).write(to: clips.appendingPathComponent("clip-0001.mp4"))
        let result = try SegmentTestKit.run([clip, "--model", samples.appendingPathComponent("models/shapes").path,
                                             "--prompt", "yellow square", "--prompt", "blue circle", "--event-frames", "2",
                                             "--events", events.path, "--stats", stats.path,
                                             "--record-when", "yellow square", "--record-dir", clips.path,
                                             "--pre-roll", "0.5", "--post-roll", "0.5"], timeout: 600)
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
        // The clip: frames from 0.5 s before the confirming frame to the first frame 0.5 s after the square left.
        let times = statistics.map { $0["time"] as? Double ?? -1 }
        let appeared = lines[1]["frame"] as? Int ?? 0, left = lines[2]["frame"] as? Int ?? 0
        let first = times.firstIndex { $0 >= times[appeared] - 0.5 } ?? 0
        let last = times.firstIndex { $0 >= times[left] + 0.5 } ?? times.count - 1
        XCTAssertEqual(try SegmentTestKit.frameCount(clips.appendingPathComponent("clip-0002.mp4").path), last - first + 1)
        XCTAssertEqual(try SegmentTestKit.frameTimes(clips.appendingPathComponent("clip-0002.mp4").path).first, 0)
        XCTAssertEqual(try String(contentsOf: clips.appendingPathComponent("clip-0001.mp4"), encoding: .utf8), "an earlier clip")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: clips.path).sorted(), ["clip-0001.mp4", "clip-0002.mp4"])
    }
}
