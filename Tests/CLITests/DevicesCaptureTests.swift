import Foundation
import XCTest
import TestSupport

/// `clipseg devices --test DEVICE`: the real binary capturing from the fake camera (LD_PRELOAD), with
/// the frames saved as PPM and read back, and every fault the fake can inject.
final class DevicesCaptureTests: XCTestCase {
    private var folder: TemporaryDirectory!

    override func setUpWithError() throws {
        folder = try TemporaryDirectory(prefix: "clipseg-devices-test")
    }

    override func tearDown() {
        folder?.remove()
    }

    private func capture(_ camera: FakeCamera, _ options: [String]) throws -> ProcessResult {
        try ChildProcess.run(TestPaths.clipsegBinary, ["devices", "--test", camera.path] + options,
                             environment: try camera.environment(), timeout: 90)
    }

    /// Frames saved in `folder/frames`, in index order.
    private func savedFrames() throws -> [PPMImage] {
        let frames = folder.path("frames")
        let names = try FileManager.default.contentsOfDirectory(atPath: frames.path).sorted()
        return try names.map { try PPMImage(contentsOf: frames.appendingPathComponent($0)) }
    }

    private func skippedCount(in summary: String) -> Int? {
        if summary.contains("none skipped by the camera") { return 0 }
        guard let range = summary.range(of: #", (\d+) skipped by the camera"#, options: .regularExpression) else { return nil }
        return Int(summary[range].dropFirst(2).prefix { $0.isNumber })
    }

    func testCapturesFramesInOrderWithTheColourBars() throws {
        let camera = FakeCamera()
        let result = try capture(camera, ["--frames", "8", "--camera-size", "320x240", "--save-frames", folder.path("frames").path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stderrText, "")
        let frames = try savedFrames()
        XCTAssertEqual(frames.count, 8)
        var counters: [Int] = []
        for frame in frames {
            XCTAssertEqual(frame.width, 320)
            XCTAssertEqual(frame.height, 240)
            for bar in 0..<8 {
                XCTAssertEqual(FakeCamera.barPixel(bar, inRGB: frame.pixels, width: 320, height: 240),
                               FakeCamera.barColours[bar], "bar \(bar)")
            }
            counters.append(FakeCamera.counter(inRGB: frame.pixels, width: 320))
        }
        XCTAssertEqual(counters.first, 0)
        XCTAssertEqual(counters, counters.sorted(), "frames out of order: \(counters)")
        XCTAssertEqual(Set(counters).count, counters.count, "a frame came twice: \(counters)")
        // Gaps in the counter are frames the device skipped, and the summary must say so.
        let summary = result.stdoutText
        XCTAssertTrue(summary.hasPrefix("/tmp/clipseg-fakecam0: 8 frames of 320x240 in "), summary)
        XCTAssertTrue(summary.contains("(camera set to 30 fps)"), summary)
        XCTAssertEqual(skippedCount(in: summary), counters.last! - counters.first! + 1 - counters.count, summary)
    }

    func testMotionJPEGFramesAreDecodedThroughLibv4l2() throws {
        var camera = FakeCamera()
        camera.formats = ["MJPG"]
        let result = try capture(camera, ["--frames", "4", "--camera-size", "320x240", "--save-frames", folder.path("frames").path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stderrText, "")
        let frames = try savedFrames()
        XCTAssertEqual(frames.count, 4)
        for frame in frames {
            XCTAssertEqual(frame.width, 320)
            for bar in 0..<8 {
                let pixel = FakeCamera.barPixel(bar, inRGB: frame.pixels, width: 320, height: 240)
                for (channel, expected) in zip(pixel, FakeCamera.barColours[bar]) {
                    XCTAssertEqual(Int(channel), Int(expected), accuracy: 2, "bar \(bar): \(pixel)")
                }
            }
        }
        let counters = frames.map { FakeCamera.counter(inRGB: $0.pixels, width: 320) }
        XCTAssertEqual(counters.first, 0)
        XCTAssertEqual(counters, counters.sorted())
        XCTAssertEqual(skippedCount(in: result.stdoutText), counters.last! + 1 - counters.count, result.stdoutText)
    }

    func testMeasuredRateFollowsTheCameraClock() throws {
        var camera = FakeCamera()
        camera.frameRates = [15, 30]
        let result = try capture(camera, ["--frames", "6", "--camera-size", "320x240", "--fps", "15"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        // "…: 6 frames of 320x240 in 0.33 s, 15.0 fps measured (camera set to 15 fps), …"
        let text = result.stdoutText
        guard let range = text.range(of: #"[0-9.]+ fps measured"#, options: .regularExpression),
              let measured = Double(text[range].split(separator: " ")[0]) else {
            return XCTFail("no measured rate in: \(text)")
        }
        let skipped = Double(skippedCount(in: text) ?? 0)
        // Five intervals (plus any skipped periods) of 1/15 s by the camera's timestamps.
        XCTAssertEqual(measured * (5 + skipped) / 5, 15, accuracy: 0.1, text)
        XCTAssertTrue(text.contains("(camera set to 15 fps)"), text)
    }

    func testNearestSizeAndRateAreUsedWithANotice() throws {
        let camera = FakeCamera()
        let result = try capture(camera, ["--frames", "2", "--camera-size", "800x600", "--fps", "20"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stderrText, """
            warning: camera /tmp/clipseg-fakecam0: 800x600 is not offered; using the nearest, 640x480
            warning: camera /tmp/clipseg-fakecam0: 20 fps is not offered at 640x480; using the nearest, 15 fps

            """)
        XCTAssertTrue(result.stdoutText.hasPrefix("/tmp/clipseg-fakecam0: 2 frames of 640x480"), result.stdoutText)
        XCTAssertTrue(result.stdoutText.contains("(camera set to 15 fps)"), result.stdoutText)
    }

    func testBusyAtOpenIsAOneLineError() throws {
        var camera = FakeCamera()
        camera.busy = .open
        let result = try capture(camera, ["--frames", "2"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderrText, "Error: camera /tmp/clipseg-fakecam0 is busy (another program is using it)\n")
        XCTAssertEqual(result.stdoutText, "")
    }

    func testBusyWhenSettingTheFormatIsAOneLineError() throws {
        var camera = FakeCamera()
        camera.busy = .stream
        let result = try capture(camera, ["--frames", "2"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderrText, "Error: camera /tmp/clipseg-fakecam0 is busy (another program is using it)\n")
    }

    func testRefusedFormatIsAOneLineError() throws {
        var camera = FakeCamera()
        camera.refuseFormat = .einval
        let result = try capture(camera, ["--frames", "2", "--camera-size", "320x240"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderrText,
                       "Error: camera /tmp/clipseg-fakecam0: format RGB24 320x240 refused (Invalid argument)\n")
    }

    func testDriverSwitchingTheFormatIsAOneLineError() throws {
        var camera = FakeCamera()
        camera.refuseFormat = .size
        let result = try capture(camera, ["--frames", "2", "--camera-size", "320x240"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderrText,
                       "Error: camera /tmp/clipseg-fakecam0: format RGB24 320x240 refused (the driver set YUYV 640x480)\n")
    }

    func testNotACaptureDeviceIsAOneLineError() throws {
        var camera = FakeCamera()
        camera.notCapture = true
        let result = try capture(camera, ["--frames", "2"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderrText, "Error: /tmp/clipseg-fakecam0: not a video capture device (metadata)\n")
    }

    func testDisconnectEndsTheStreamAtOnceWithAMessageNamingTheDevice() throws {
        var camera = FakeCamera()
        camera.disconnectAfter = 3
        let result = try capture(camera, ["--frames", "30", "--camera-size", "320x240"])
        XCTAssertEqual(result.status, 1, "a check that got 3 of 30 frames fails")
        // Noticed at once, by the disconnect, not by the 10 s stall timeout (which would end with "giving up"
        // and never say "disconnected"). Before the disconnect, a loaded machine may starve the camera's thread
        // for a poll period and cost a passing stall warning; nothing else may be said.
        let lines = result.stderrText.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.last, "warning: camera /tmp/clipseg-fakecam0 disconnected after 3 frames", result.stderrText)
        for line in lines.dropLast() {
            XCTAssertTrue(line.hasPrefix("warning: camera /tmp/clipseg-fakecam0: no frame for ")
                          || line.hasPrefix("warning: camera /tmp/clipseg-fakecam0: frames resumed after "), line)
        }
        XCTAssertFalse(result.stderrText.contains("giving up"), result.stderrText)
        XCTAssertTrue(result.stdoutText.hasPrefix("/tmp/clipseg-fakecam0: 3 frames of 320x240"), result.stdoutText)
        XCTAssertTrue(result.stdoutText.contains("the stream ended early"), result.stdoutText)
        XCTAssertFalse(result.timedOut)
    }

    func testStallIsReportedAndCaptureCarriesOnWhenFramesResume() throws {
        var camera = FakeCamera()
        camera.stallAfter = 2
        camera.stallSeconds = 1
        let result = try capture(camera, ["--frames", "4", "--camera-size", "320x240", "--save-frames", folder.path("frames").path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let lines = result.stderrText.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, result.stderrText)
        XCTAssertTrue(lines.first?.hasPrefix("warning: camera /tmp/clipseg-fakecam0: no frame for ") ?? false, result.stderrText)
        XCTAssertTrue(lines.first?.hasSuffix("; waiting up to 10 s") ?? false, result.stderrText)
        XCTAssertTrue(lines.last?.hasPrefix("warning: camera /tmp/clipseg-fakecam0: frames resumed after ") ?? false,
                      result.stderrText)
        // The camera kept counting frame periods through the stall.
        let counters = try savedFrames().map { FakeCamera.counter(inRGB: $0.pixels, width: $0.width) }
        XCTAssertEqual(counters.count, 4)
        XCTAssertEqual(Array(counters.prefix(2)), [0, 1])
        XCTAssertGreaterThan(counters[2], 10, "\(counters)")
        XCTAssertEqual(skippedCount(in: result.stdoutText), counters[3] - 3, result.stdoutText)
    }

    func testStallLongerThanTheTimeoutFailsWithAOneLineError() throws {
        var camera = FakeCamera()
        camera.stallAfter = 2
        camera.stallSeconds = 120
        let result = try capture(camera, ["--frames", "10", "--camera-size", "320x240", "--stall-timeout", "1"])
        XCTAssertEqual(result.status, 1)
        let lines = result.stderrText.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, result.stderrText)
        XCTAssertTrue(lines.first?.hasPrefix("warning: camera /tmp/clipseg-fakecam0: no frame for ") ?? false, result.stderrText)
        XCTAssertTrue(lines.first?.hasSuffix("; waiting up to 1 s") ?? false, result.stderrText)
        XCTAssertEqual(lines.last, "Error: camera /tmp/clipseg-fakecam0: no frame for 1 s, giving up")
    }

    func testFramesTheCameraDropsAreCountedAsSkipped() throws {
        var camera = FakeCamera()
        camera.dropPercent = 50
        let result = try capture(camera, ["--frames", "6", "--camera-size", "320x240", "--save-frames", folder.path("frames").path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let counters = try savedFrames().map { FakeCamera.counter(inRGB: $0.pixels, width: $0.width) }
        XCTAssertEqual(counters.count, 6)
        XCTAssertEqual(counters, counters.sorted())
        let gaps = counters.last! - counters.first! + 1 - counters.count
        XCTAssertGreaterThan(gaps, 0, "half the periods are dropped: \(counters)")
        XCTAssertEqual(skippedCount(in: result.stdoutText), gaps, result.stdoutText)
    }

    func testSavingIntoAFileIsAOneLineError() throws {
        let file = folder.path("taken")
        try Data("x".utf8).write(to: file)
        let result = try capture(FakeCamera(), ["--frames", "2", "--save-frames", file.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderrText, "Error: \(file.path): cannot write (not a folder)\n")
    }

    func testBadOptionsAreRefusedBeforeOpeningTheCamera() throws {
        let camera = FakeCamera()
        for (options, message) in [(["--camera-size", "640by480"], "640by480"), (["--frames", "0"], "--frames"),
                                   (["--fps", "-5"], "--fps"),
                                   (["--size", "320x240", "--camera-size", "320x240"],
                                    "--size is the old name of --camera-size; give one of them")] {
            let result = try capture(camera, options)
            XCTAssertNotEqual(result.status, 0, "\(options)")
            XCTAssertTrue(result.stderrText.contains(message), "\(options): \(result.stderrText)")
        }
    }

    /// `--size` was the name of `--camera-size` before it took `clipseg segment`'s spelling; it still
    /// works, and is left out of the help.
    func testTheOldSizeOptionStillWorksAndIsHidden() throws {
        let result = try capture(FakeCamera(), ["--frames", "2", "--size", "320x240", "--save-frames",
                                                folder.path("frames").path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(try savedFrames().map { "\($0.width)x\($0.height)" }, ["320x240", "320x240"])
        let help = try ChildProcess.run(TestPaths.clipsegBinary, ["devices", "--help"])
        XCTAssertTrue(help.stdoutText.contains("--camera-size <WxH>"), help.stdoutText)
        XCTAssertFalse(help.stdoutText.contains("--size"), help.stdoutText)
    }
}
