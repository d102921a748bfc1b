import Foundation
import TestSupport
import XCTest

/// `clipseg segment` on video files (lossless: every frame processed), with the random-weight fixture
/// model: outputs probed with ffprobe / ffmpeg, masks and statistics read back.
final class SegmentFileTests: SegmentModelTestCase {
    func testVideoMasksAndStatisticsKeepEveryFrameTimestampSizeAndAudio() throws {
        let clip = folder.path("in.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 3, rate: 10, size: "160x120", audio: true)
        let inputFrames = try SegmentTestKit.frameCount(clip.path)
        let result = try SegmentTestKit.run([clip.path, "--model", model, "--prompt", "a red circle", "--threads", "1",
                                             "-o", path("out.mp4"), "--masks", path("masks.y4m"),
                                             "--stats", path("stats.ndjson")])
        XCTAssertEqual(result.status, 0, result.stderrText)

        XCTAssertEqual(inputFrames, 30)
        XCTAssertEqual(try SegmentTestKit.frameCount(path("out.mp4")), inputFrames)
        XCTAssertEqual(try SegmentTestKit.frameSize(path("out.mp4")), "160,120")
        XCTAssertEqual(try SegmentTestKit.frameTimes(path("out.mp4")), try SegmentTestKit.frameTimes(clip.path))
        XCTAssertEqual(try SegmentTestKit.streamTypes(path("out.mp4")), ["video", "audio"], "audio is kept")

        // The mask stream: ffmpeg decodes it, one gray frame per input frame at the frame size.
        XCTAssertEqual(try SegmentTestKit.frameCount(path("masks.y4m")), inputFrames)
        let masks = try SegmentTestKit.y4mFrames(folder.path("masks.y4m"))
        XCTAssertEqual(masks.width, 160)
        XCTAssertEqual(masks.height, 120)
        XCTAssertEqual(masks.frames.count, inputFrames)
        XCTAssertTrue(masks.frames.allSatisfy { Set($0).isSubset(of: [0, 255]) }, "binary masks")

        // One statistics line per frame, in order, with the frame's own time.
        let lines = try SegmentTestKit.statistics(folder.path("stats.ndjson"))
        XCTAssertEqual(lines.map { $0["frame"] as? Int }, (0..<inputFrames).map { $0 })
        XCTAssertEqual(lines.map { $0["time"] as? Double }, try SegmentTestKit.frameTimes(clip.path))
        XCTAssertTrue(lines.allSatisfy { SegmentTestKit.promptNames($0) == ["a red circle"] && $0["mask_frame"] == nil })
        // Coverage in the statistics is what the mask stream holds (binary masks, same threshold).
        for (line, mask) in zip(lines, masks.frames) {
            let coverage = ((line["prompts"] as? [[String: Any]])?.first?["coverage"] as? Double) ?? -1
            let set = Double(mask.filter { $0 == 255 }.count) / Double(mask.count)
            XCTAssertEqual(coverage, set, accuracy: 1e-6)
        }

        let counts = try SegmentTestKit.counts(in: result.stderrText)
        XCTAssertEqual(counts, .init(read: 30, processed: 30, dropped: 0, written: 30, visionRuns: 30, decoderRuns: 30))
        XCTAssertTrue(result.stderrText.contains("done: 30 frames in "), result.stderrText)
    }

    func testTheVisionEncoderRunsOncePerFrameWhateverThePromptCount() throws {
        let clip = folder.path("in.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 1.2, rate: 10)
        for prompts in [["cat"], ["cat", "a dog", "a red circle", "the small blue square"]] {
            let result = try SegmentTestKit.run([clip.path, "--model", model, "--threads", "1", "--stats", path("s.ndjson"), "-y"]
                                                + prompts.flatMap { ["--prompt", $0] })
            XCTAssertEqual(result.status, 0, result.stderrText)
            let counts = try SegmentTestKit.counts(in: result.stderrText)
            XCTAssertEqual(counts.visionRuns, 12, "\(prompts.count) prompts")
            XCTAssertEqual(counts.decoderRuns, 12, "\(prompts.count) prompts, decoded in one batch per frame")
            XCTAssertEqual(try SegmentTestKit.statistics(folder.path("s.ndjson")).map(SegmentTestKit.promptNames),
                           Array(repeating: prompts, count: 12))
        }
    }

    func testSeveralTextAndImagePromptsStackOneMaskPerPromptAndLabelTheWinner() throws {
        let clip = folder.path("in.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 0.5, rate: 10)
        let image = SegmentTestKit.fixture.appendingPathComponent("prompt.png").path
        let common = [clip.path, "--model", model, "--threads", "1", "--prompt", "cat", "--prompt", "a red circle",
                      "--image-prompt", image]
        let stacked = try SegmentTestKit.run(common + ["--masks", path("stack.y4m"), "--mask-layout", "stack",
                                                       "--stats", path("stats.ndjson"), "--soft"])
        XCTAssertEqual(stacked.status, 0, stacked.stderrText)
        let stack = try SegmentTestKit.y4mFrames(folder.path("stack.y4m")).frames
        XCTAssertEqual(stack.count, 5 * 3, "one mask per prompt per frame")
        let lines = try SegmentTestKit.statistics(folder.path("stats.ndjson"))
        XCTAssertEqual(lines.map(SegmentTestKit.promptNames), Array(repeating: ["cat", "a red circle", image], count: 5))

        let labelled = try SegmentTestKit.run(common + ["--masks", path("labels.y4m"), "--mask-layout", "labels"])
        XCTAssertEqual(labelled.status, 0, labelled.stderrText)
        let labels = try SegmentTestKit.y4mFrames(folder.path("labels.y4m")).frames
        XCTAssertEqual(labels.count, 5)
        // Each label is the 1-based prompt with the highest probability if that reaches 0.4, else 0. The soft
        // masks are those probabilities rounded to bytes (255·p), so check within one byte: a label's prompt is
        // (one of) the most probable, and 0 only where no prompt reaches 0.4 (byte ≤ 102).
        for frame in 0..<5 {
            let planes = stack[(frame * 3)..<(frame * 3 + 3)].map { $0 }
            var wrong = 0
            for (pixel, label) in labels[frame].enumerated() {
                let values = planes.map { Int($0[pixel]) }
                let best = values.max() ?? 0
                let fits = label == 0 ? best <= 102 : (1...3).contains(label) && best >= 102 && values[Int(label) - 1] >= best - 1
                if !fits { wrong += 1 }
            }
            XCTAssertEqual(wrong, 0, "frame \(frame)")
            XCTAssertGreaterThan(Set(labels[frame]).count, 1, "frame \(frame) has more than one label")
        }
    }

    func testStandardInputToStandardOutputAsMatroska() throws {
        let clip = folder.path("in.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 1, rate: 10)
        let result = try SegmentTestKit.run(["-", "--model", model, "--threads", "1", "--prompt", "cat", "--mode", "matte",
                                             "-o", "-", "--quiet"], stdin: try Data(contentsOf: clip))
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stderrText, "", "--quiet prints nothing")
        try result.stdout.write(to: folder.path("out.mkv"))
        XCTAssertEqual(try SegmentTestKit.frameCount(path("out.mkv")), 10)
    }

    func testCutoutKeepsTheMaskAsAlphaInWebM() throws {
        let clip = folder.path("in.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 0.5, rate: 10)
        let result = try SegmentTestKit.run([clip.path, "--model", model, "--threads", "1", "--prompt", "cat",
                                             "--mode", "cutout", "-o", path("cut.webm")])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let probe = try ChildProcess.runTool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                                         "stream_tags=alpha_mode", "-of", "csv=p=0", path("cut.webm")])
        XCTAssertEqual(probe.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines), "1")
        XCTAssertEqual(try SegmentTestKit.frameCount(path("cut.webm")), 5)
    }
}
