import Foundation
import MaskRender
import TestSupport
import XCTest
@testable import clipseg

/// `--smooth ALPHA | auto | off`: motion-aware smoothing is the default of live sources, files keep theirs
/// (none), and `--smooth auto` runs end to end.
final class SmoothingChoiceTests: SegmentModelTestCase {
    func testAutoIsTheLiveDefaultAndFilesKeepNone() throws {
        let given = MaskOptions(threshold: 0.3)
        let live = SmoothingChoice.resolve(nil, live: true, in: given)
        XCTAssertEqual(live.motionAwareSmoothing, MotionAwareSmoothing())
        XCTAssertNil(live.smoothing)
        XCTAssertEqual(live.threshold, 0.3, "other settings are kept")
        XCTAssertEqual(SmoothingChoice.resolve(nil, live: false, in: given), given, "a file's default: no smoothing")
        XCTAssertEqual(SmoothingChoice.resolve(SmoothingChoice(argument: "auto"), live: false, in: given).motionAwareSmoothing,
                       MotionAwareSmoothing())
        let plain = SmoothingChoice.resolve(SmoothingChoice(argument: "0.5"), live: true, in: given)
        XCTAssertEqual(plain.smoothing, 0.5)
        XCTAssertNil(plain.motionAwareSmoothing, "--smooth ALPHA replaces the live default")
        XCTAssertEqual(SmoothingChoice.resolve(SmoothingChoice(argument: "off"), live: true, in: given), given)
        XCTAssertNil(SmoothingChoice(argument: "fast"))
    }

    func testAutoRunsOnAFileAndTheDefaultStaysUnsmoothed() throws {
        let clip = folder.path("in.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 1.2, rate: 10)
        var masks: [String: [[UInt8]]] = [:]
        for (name, extra) in [("default", [String]()), ("off", ["--smooth", "off"]), ("auto", ["--smooth", "auto"])] {
            let result = try SegmentTestKit.run([clip.path, "--model", model, "--prompt", "a red circle", "--threads", "1",
                                                 "--soft", "--masks", path("\(name).y4m")] + extra)
            XCTAssertEqual(result.status, 0, result.stderrText)
            masks[name] = try SegmentTestKit.y4mFrames(folder.path("\(name).y4m")).frames
            XCTAssertEqual(masks[name]?.count, 12, name)
        }
        XCTAssertEqual(masks["default"], masks["off"], "a file's masks are not smoothed unless asked")
        XCTAssertEqual(masks["auto"]?.first, masks["off"]?.first, "the first frame starts the average")
        XCTAssertNotEqual(masks["auto"], masks["off"], "--smooth auto smooths")
    }

    func testUnknownChoiceIsRefused() throws {
        let result = try SegmentTestKit.run(["in.mp4", "--model", model, "--prompt", "x", "--masks", path("m.y4m"),
                                             "--smooth", "fast"])
        XCTAssertEqual(result.status, 64, result.stderrText)
        XCTAssertTrue(result.stderrText.contains("'fast'") && result.stderrText.contains("--smooth"), result.stderrText)
    }
}
