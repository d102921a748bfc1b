import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `clipseg segment` on live sources: `--realtime` files with a deliberately slow model (`--size 512` on the
/// fixture model: 1024 tokens, about 60 ms a frame in a release build on one thread, far more in debug,
/// against a frame period of 20 ms at 50 fps or 33 ms for the camera), and the fake
/// V4L2 camera. Frames are dropped in front of the vision encoder, and still written (keep-frames).
final class SegmentLiveTests: SegmentModelTestCase {
    func testRealtimeFileWithASlowModelDropsFramesAndStillWritesEveryOne() throws {
        let clip = folder.path("in.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 1.5, rate: 50)
        // --no-follow-motion: in a debug build on a busy machine, moving masks makes the compositor slow enough
        // that the lateness bound passes frames over, and this test is about every frame being written.
        let result = try SegmentTestKit.run([clip.path, "--model", model, "--prompt", "cat", "--realtime", "--size", "512",
                                             "--threads", "1", "-o", path("out.mp4"), "--stats", path("stats.ndjson"),
                                             "--no-follow-motion"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let counts = try SegmentTestKit.counts(in: result.stderrText)
        XCTAssertEqual(counts.read, 75)
        XCTAssertGreaterThan(counts.dropped, 0, result.stderrText)
        XCTAssertEqual(counts.processed + counts.dropped, counts.read)
        XCTAssertEqual(counts.visionRuns, counts.processed)
        XCTAssertEqual(counts.written, 75, "keep-frames is the default for live runs")
        XCTAssertEqual(try SegmentTestKit.frameCount(path("out.mp4")), 75)
        let lines = try SegmentTestKit.statistics(folder.path("stats.ndjson"))
        XCTAssertEqual(lines.count, 75)
        XCTAssertEqual(lines.filter { $0["mask_frame"] != nil }.count, counts.dropped,
                       "a dropped frame is written with the latest mask and says which")
        XCTAssertTrue(result.stderrText.contains("dropped \(counts.dropped)"), result.stderrText)

        let processedOnly = try SegmentTestKit.run([clip.path, "--model", model, "--prompt", "cat", "--realtime",
                                                    "--size", "512", "--threads", "1", "--processed-only",
                                                    "-o", path("processed.mp4")])
        XCTAssertEqual(processedOnly.status, 0, processedOnly.stderrText)
        let only = try SegmentTestKit.counts(in: processedOnly.stderrText)
        XCTAssertGreaterThan(only.dropped, 0)
        XCTAssertEqual(only.written, only.processed)
        XCTAssertEqual(try SegmentTestKit.frameCount(path("processed.mp4")), only.processed)
    }

    func testFakeCameraWithKeepFramesWritesEveryCapturedFrame() throws {
        var camera = FakeCamera(path: "/tmp/clipseg-fakecam-segment")
        camera.sizes = ["160x120"]
        camera.frameRates = [30]
        camera.disconnectAfter = 45
        let result = try SegmentTestKit.run([camera.path, "--model", model, "--prompt", "cat", "--size", "512",
                                             "--threads", "1", "--camera-size", "160x120", "--fps", "30",
                                             "-o", path("cam.mkv"), "--masks", path("cam.y4m"),
                                             "--stats", path("cam.ndjson"), "--no-follow-motion"],
                                            environment: try camera.environment())
        XCTAssertEqual(result.status, 0, result.stderrText)
        let counts = try SegmentTestKit.counts(in: result.stderrText)
        XCTAssertGreaterThan(counts.read, 30, result.stderrText)
        XCTAssertGreaterThan(counts.dropped, 0, "the model is slower than the camera")
        XCTAssertEqual(counts.written, counts.read)
        XCTAssertEqual(try SegmentTestKit.frameCount(path("cam.mkv")), counts.read)
        XCTAssertEqual(try SegmentTestKit.frameSize(path("cam.mkv")), "160,120")
        XCTAssertEqual(try SegmentTestKit.y4mFrames(folder.path("cam.y4m")).frames.count, counts.read)
        XCTAssertEqual(try SegmentTestKit.statistics(folder.path("cam.ndjson")).map { $0["frame"] as? Int },
                       (0..<counts.read).map { $0 })
        XCTAssertTrue(result.stderrText.contains("live:") || result.stderrText.contains("captured \(counts.read) frames"),
                      result.stderrText)
    }

    func testPromptChangeOverControlChangesTheMasksFromTheNextFrameOn() throws {
        let clip = folder.path("in.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 6, rate: 10)
        let common = [clip.path, "--model", model, "--threads", "1"]
        // References: every frame with the old prompt, and with the new one.
        for (prompt, name) in [("cat", "old"), ("a dog", "new")] {
            let reference = try SegmentTestKit.run(common + ["--prompt", prompt, "--masks", path("\(name).y4m")])
            XCTAssertEqual(reference.status, 0, reference.stderrText)
        }
        let old = try SegmentTestKit.y4mFrames(folder.path("old.y4m")).frames
        let new = try SegmentTestKit.y4mFrames(folder.path("new.y4m")).frames
        XCTAssertGreaterThan(zip(old, new).filter { $0 != $1 }.count, 50, "the two prompts must give different masks")

        // Full passes (--no-reuse) and no smoothing (--smooth off; live runs smooth by default): frames with their
        // own mask are compared with full passes bit for bit.
        let run = try RunningSegment(common + ["--prompt", "cat", "--realtime", "--no-reuse", "--smooth", "off", "--control", "-",
                                               "--masks", path("live.y4m"), "--stats", path("live.ndjson")],
                                     folder: folder)
        let stats = folder.path("live.ndjson")
        XCTAssertTrue(eventually { lineCount(stats) >= 10 }, run.stderrText)
        try run.write("prompt set a dog\n")
        let (status, stderr) = run.finish()
        XCTAssertEqual(status, 0, stderr)
        XCTAssertTrue(stderr.contains("clipseg: control: added 'a dog', removed 'cat'"), stderr)

        let lines = try SegmentTestKit.statistics(stats)
        let masks = try SegmentTestKit.y4mFrames(folder.path("live.y4m")).frames
        XCTAssertEqual(lines.count, 60)
        XCTAssertEqual(masks.count, 60)
        let switchFrame = try XCTUnwrap(lines.firstIndex { SegmentTestKit.promptNames($0) == ["a dog"] })
        XCTAssertGreaterThanOrEqual(switchFrame, 10, "the change came after frame 10 was written")
        XCTAssertTrue(lines[..<switchFrame].allSatisfy { SegmentTestKit.promptNames($0) == ["cat"] })
        XCTAssertTrue(lines[switchFrame...].allSatisfy { SegmentTestKit.promptNames($0) == ["a dog"] })
        // Frames with their own mask hold exactly the reference masks of their prompt.
        for (index, line) in lines.enumerated() where line["mask_frame"] == nil {
            XCTAssertEqual(masks[index], index < switchFrame ? old[index] : new[index], "frame \(index)")
        }
    }

    func testSigintFinishesOutputsWithTheFramesTheSummaryCounts() throws {
        let clip = folder.path("in.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 20, rate: 10)
        for (signalNumber, status) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            let stats = folder.path("stats-\(signalNumber).ndjson"), video = path("out-\(signalNumber).mp4")
            let run = try RunningSegment([clip.path, "--model", model, "--prompt", "cat", "--threads", "1", "--realtime",
                                          "-o", video, "--stats", stats.path], folder: folder)
            XCTAssertTrue(eventually { lineCount(stats) >= 10 }, run.stderrText)
            run.send(signalNumber)
            let (exit, stderr) = run.finish()
            XCTAssertEqual(exit, status, stderr)
            XCTAssertTrue(stderr.contains("interrupted: captured "), stderr)
            let counts = try SegmentTestKit.counts(in: stderr)
            XCTAssertLessThan(counts.read, 200)
            XCTAssertEqual(counts.written, counts.read)
            XCTAssertEqual(try SegmentTestKit.frameCount(video), counts.written, "a playable file with every frame counted")
            XCTAssertEqual(lineCount(stats), counts.written)
        }
    }

    func testClosedStandardOutputStopsCleanlyAndFinishesTheOtherOutputs() throws {
        let clip = folder.path("in.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 10, rate: 10)
        let script = "\"$0\" segment \"$1\" --model \"$2\" --prompt cat --threads 1 --masks - -o \"$3\" --stats \"$4\" "
            + "2>\"$5\" | head -c 1000 > \"$6\"; exit ${PIPESTATUS[0]}"
        let result = try ChildProcess.runTool("bash", ["-c", script, TestPaths.clipsegBinary.path, clip.path, model,
                                                       path("out.mp4"), path("stats.ndjson"), path("err.txt"),
                                                       path("head.bin")])
        let stderr = (try? String(contentsOfFile: path("err.txt"), encoding: .utf8)) ?? ""
        XCTAssertEqual(result.status, 0, stderr)
        XCTAssertEqual(try Data(contentsOf: folder.path("head.bin")).count, 1000)
        XCTAssertTrue(stderr.contains("standard output was closed by its reader; stopped early"), stderr)
        let counts = try SegmentTestKit.counts(in: stderr)
        XCTAssertLessThan(counts.read, 100, "reading stopped early")
        XCTAssertEqual(try SegmentTestKit.frameCount(path("out.mp4")), counts.read, "the other outputs got every frame read")
        XCTAssertEqual(lineCount(folder.path("stats.ndjson")), counts.read)
    }
}
