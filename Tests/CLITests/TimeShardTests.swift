import Foundation
import TestSupport
import VideoFrames
import XCTest

/// `segment --start T --duration D` and `clipseg concat`: shards cut at frame times hold every frame once,
/// keep the whole run's frame numbers, and join into the whole run's masks, statistics and video frames.
final class TimeShardTests: XCTestCase {
    func testTimesParseToWholeMicrosecondsAndWindowsTileTheTimeline() {
        XCTAssertEqual(TimeWindow.parseTime("90"), 90_000_000)
        XCTAssertEqual(TimeWindow.parseTime("1.2"), 1_200_000)
        XCTAssertEqual(TimeWindow.parseTime(".5"), 500_000)
        XCTAssertEqual(TimeWindow.parseTime("01:02"), 62_000_000)
        XCTAssertEqual(TimeWindow.parseTime("1:02:03.25"), 3_723_250_000)
        XCTAssertEqual(TimeWindow.parseTime("0.1234567"), 123_456)
        for bad in ["", "-1", "1:60", "a", "1.2.3", "1::2", ":5", "1:2:3:4"] {
            XCTAssertNil(TimeWindow.parseTime(bad), bad)
        }
        // 0.1 + 0.2 ≠ 0.3 in floating point; in microseconds shards meet exactly.
        let first = TimeWindow(start: 100_000, duration: 200_000)
        let second = TimeWindow(start: first.end!, duration: 300_000)
        XCTAssertEqual(first.placement(of: 0.1), .inside)
        XCTAssertEqual(first.placement(of: 0.1 + 0.2), .after)
        XCTAssertEqual(second.placement(of: 0.3), .inside)
        XCTAssertEqual(second.placement(of: 0.299999), .before)
        XCTAssertEqual(second.placement(of: 0.6), .after)
    }

    func testShardsHoldEveryFrameOnceAndJoinIntoTheWholeRun() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let model = try SegmentTestKit.makeModel(in: folder)
        let clip = folder.path("clip.mp4").path
        try SegmentTestKit.makeClip(URL(fileURLWithPath: clip), seconds: 3)  // 30 frames at 10 fps
        func segment(_ name: String, _ window: [String]) throws {
            let result = try SegmentTestKit.run([clip, "--model", model, "--prompt", "a circle", "--threads", "1",
                                                 "--masks", folder.path("\(name).y4m").path,
                                                 "--stats", folder.path("\(name).ndjson").path,
                                                 "-o", folder.path("\(name).mp4").path] + window)
            XCTAssertEqual(result.status, 0, result.stderrText)
        }
        try segment("whole", [])
        // Boundaries on frame times: the frame at 1.2 s belongs to the second shard only.
        try segment("s1", ["--duration", "1.2"])
        try segment("s2", ["--start", "00:00:01.2", "--duration", "1.2"])
        try segment("s3", ["--start", "2.4"])

        let frameNumbers = try ["s1", "s2", "s3"].map { name in
            try SegmentTestKit.statistics(folder.path("\(name).ndjson")).map { $0["frame"] as? Int ?? -1 }
        }
        XCTAssertEqual(frameNumbers[0], Array(0..<12))
        XCTAssertEqual(frameNumbers[1], Array(12..<24))
        XCTAssertEqual(frameNumbers[2], Array(24..<30))
        XCTAssertEqual(try SegmentTestKit.frameCount(folder.path("s2.mp4").path), 12)

        for ext in ["y4m", "ndjson", "mp4"] {
            let result = try ChildProcess.run(TestPaths.clipsegBinary, ["concat"] + ["s1", "s2", "s3"].map { folder.path("\($0).\(ext)").path }
                                              + ["-o", folder.path("joined.\(ext)").path])
            XCTAssertEqual(result.status, 0, result.stderrText)
        }
        XCTAssertEqual(try Data(contentsOf: folder.path("joined.y4m")), try Data(contentsOf: folder.path("whole.y4m")))
        XCTAssertEqual(try Data(contentsOf: folder.path("joined.ndjson")), try Data(contentsOf: folder.path("whole.ndjson")))
        XCTAssertEqual(try SegmentTestKit.frameCount(folder.path("joined.mp4").path), 30)
        let joinedTimes = try SegmentTestKit.frameTimes(folder.path("joined.mp4").path)
        let wholeTimes = try SegmentTestKit.frameTimes(folder.path("whole.mp4").path)
        XCTAssertEqual(joinedTimes.count, wholeTimes.count)
        for (joined, whole) in zip(joinedTimes, wholeTimes) { XCTAssertEqual(joined, whole, accuracy: 0.0005) }
        // A shard past the last frame holds no frame: its pieces join as nothing.
        try segment("past", ["--start", "3.5"])
        XCTAssertEqual(try SegmentTestKit.y4mFrames(folder.path("past.y4m")).frames.count, 0)
        XCTAssertEqual(lineCount(folder.path("past.ndjson")), 0)
        for ext in ["y4m", "mp4"] {
            let result = try ChildProcess.run(TestPaths.clipsegBinary, ["concat", folder.path("joined.\(ext)").path,
                                                                        folder.path("past.\(ext)").path, "-o", folder.path("again.\(ext)").path])
            XCTAssertEqual(result.status, 0, result.stderrText)
        }
        XCTAssertEqual(try Data(contentsOf: folder.path("again.y4m")), try Data(contentsOf: folder.path("whole.y4m")))
        XCTAssertEqual(try SegmentTestKit.frameCount(folder.path("again.mp4").path), 30)
        // Pieces of different runs do not join: the message names the piece.
        let other = folder.path("other.y4m")
        let small = try SegmentTestKit.run([clip, "--model", model, "--prompt", "a circle", "--duration", "0.2",
                                            "--masks", "-", "--quiet"])
        try Data(String(decoding: small.stdout, as: UTF8.self).replacingOccurrences(of: "W160", with: "W80").utf8).write(to: other)
        let mismatch = try ChildProcess.run(TestPaths.clipsegBinary, ["concat", folder.path("s1.y4m").path, other.path,
                                                                      "-o", folder.path("bad.y4m").path])
        XCTAssertEqual(mismatch.status, 1)
        XCTAssertTrue(mismatch.stderrText.hasPrefix("Error: \(other.path): its YUV4MPEG2 header differs from the first piece's (YUV4MPEG2 W160 H120"),
                      mismatch.stderrText)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path("bad.y4m").path))
        // No partial file is left, and a piece is never overwritten.
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.url.path)
        XCTAssertFalse(names.contains { $0.contains(".partial-") }, "\(names)")
        let clash = try ChildProcess.run(TestPaths.clipsegBinary, ["concat", folder.path("s1.y4m").path,
                                                                   folder.path("s2.y4m").path, "-o", folder.path("s1.y4m").path, "-y"])
        XCTAssertEqual(clash.status, 64, clash.stderrText)
        XCTAssertTrue(clash.stderrText.contains("would write over PIECE"), clash.stderrText)
    }
}
