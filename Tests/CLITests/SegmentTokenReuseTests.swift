import Foundation
import TestSupport
import XCTest

/// `clipseg segment --reuse` end to end, with the trained sample model on the first 2 s of the sample video:
/// the statistics field, the summary, exactness at threshold 0, closeness at the default, and the default per
/// kind of input.
final class SegmentTokenReuseTests: XCTestCase {
    private let modelFolder = TestPaths.samples.appendingPathComponent("models/shapes")

    private func clip(in folder: TemporaryDirectory) throws -> String {
        let clip = folder.path("shapes-2s.mp4")
        let video = TestPaths.samples.appendingPathComponent("videos/shapes.mp4")
        let cut = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-i", video.path, "-frames:v", "60", "-c", "copy", clip.path])
        XCTAssertEqual(cut.status, 0, cut.stderrText)
        return clip.path
    }

    private func segment(_ clip: String, _ options: [String], in folder: TemporaryDirectory, name: String) throws
        -> (stderr: String, masks: [[UInt8]], statistics: [[String: Any]]) {
        let result = try SegmentTestKit.run([clip, "--model", modelFolder.path, "--prompt", "red circle",
                                             "--prompt", "blue circle", "--masks", folder.path("\(name).y4m").path,
                                             "--stats", folder.path("\(name).ndjson").path] + options, timeout: 600)
        XCTAssertEqual(result.status, 0, result.stderrText)
        return (result.stderrText, try SegmentTestKit.y4mFrames(folder.path("\(name).y4m")).frames,
                try SegmentTestKit.statistics(folder.path("\(name).ndjson")))
    }

    func testReuseReportsItsCostAndStaysCloseToFullPasses() throws {
        let folder = try TemporaryDirectory(prefix: "clipseg-reuse")
        defer { folder.remove() }
        let clip = try clip(in: folder)
        let full = try segment(clip, [], in: folder, name: "full")
        XCTAssertTrue(full.statistics.allSatisfy { $0["tokens_recomputed"] == nil }, "files: no reuse by default")
        XCTAssertFalse(full.stderr.contains("tokens recomputed"))

        let reused = try segment(clip, ["--reuse"], in: folder, name: "reused")
        let fractions = reused.statistics.compactMap { $0["tokens_recomputed"] as? Double }
        XCTAssertEqual(fractions.count, 60, "every model frame says what it cost")
        XCTAssertEqual(fractions.first, 1, "the first frame is a full pass")
        let mean = fractions.reduce(0, +) / Double(fractions.count)
        XCTAssertLessThan(mean, 0.5, "a mostly still scene reuses most tokens")
        XCTAssertGreaterThan(mean, 0.02)
        XCTAssertTrue(reused.stderr.contains("tokens recomputed \(Int((mean * 100).rounded()))%"), reused.stderr)
        XCTAssertGreaterThanOrEqual(SegmentTestKit.pooledIoU(full.masks, reused.masks), 0.97)

        let exact = try segment(clip, ["--reuse-threshold", "0"], in: folder, name: "exact")
        XCTAssertEqual(exact.statistics.compactMap { $0["tokens_recomputed"] as? Double }, Array(repeating: 1, count: 60))
        XCTAssertEqual(exact.masks, full.masks, "threshold 0: every token every frame, the masks of full passes")
    }

    func testLiveRunsReuseTokensByDefault() throws {
        let folder = try TemporaryDirectory(prefix: "clipseg-reuse-live")
        defer { folder.remove() }
        let live = try segment(try clip(in: folder), ["--realtime"], in: folder, name: "live")
        let fractions = live.statistics.compactMap { $0["tokens_recomputed"] as? Double }
        XCTAssertFalse(fractions.isEmpty, "live: reuse is on without --reuse")
        XCTAssertEqual(fractions.count, live.statistics.filter { $0["mask_frame"] == nil }.count,
                       "on the frames the model saw, not on those written with an older mask")
        XCTAssertTrue(live.stderr.contains("tokens recomputed"), live.stderr)
    }

    func testReuseOptionsAreCheckedAndNamed() throws {
        for (arguments, message) in [(["--reuse-threshold", "-1"], "--reuse-threshold must be a number ≥ 0, got -1.0"),
                                     (["--reuse-refresh", "-2"], "--reuse-refresh must be 0 or more frames, got -2"),
                                     (["--no-reuse", "--reuse-threshold", "0.1"],
                                      "--reuse-threshold and --reuse-refresh tune --reuse; drop them or --no-reuse")] {
            let result = try SegmentTestKit.run(["in.mp4", "--prompt", "x", "--masks", "m.y4m"] + arguments)
            XCTAssertEqual(result.status, 64, result.stderrText)
            XCTAssertTrue(result.stderrText.contains(message), result.stderrText)
        }
    }
}
