import Foundation
import MediaIO
import TestSupport
import XCTest

/// `clipseg segment … -o v4l2:DEVICE`: the real binary writing to the fake V4L2 output device (a
/// v4l2loopback virtual camera as FFmpeg's `video4linux2` output device sees it; LD_PRELOAD, see
/// Tests/FakeCamera/fakecam_output.c), from files and from the fake camera: the negotiated format, every
/// captured frame at the camera's rate and size, the pixels against the same run's PNG frames in every
/// mode, a device that takes no format clipseg writes, and a device that goes away mid-run.
final class VirtualCameraOutputTests: SegmentModelTestCase {
    private func device(formats: [String]? = nil, goneAfter: Int? = nil) -> FakeOutputDevice {
        var device = FakeOutputDevice(path: path("virtual-camera"), recordingInto: folder.url)
        device.formats = formats
        device.goneAfter = goneAfter
        return device
    }

    private func clip(frames: Int) throws -> String {
        let clip = folder.path("in.mp4")
        try SegmentTestKit.makeClip(clip, seconds: Double(frames) / 10, rate: 10)
        return clip.path
    }

    /// `picture` (a PNG frame of the same run) converted by the ffmpeg command line to `pixelFormat`
    /// (`yuyv422`, `yuv420p`): BT.601 limited range, as call apps read a webcam.
    private func ffmpegConversion(of picture: String, to pixelFormat: String, size: String? = nil) throws -> [UInt8] {
        let scale = size.map { ["-s", $0] } ?? []
        let result = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-i", picture] + scale + ["-pix_fmt", pixelFormat,
                                                         "-f", "rawvideo", "-"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        return [UInt8](result.stdout)
    }

    /// The largest difference of two byte arrays of one length.
    private func largestDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
        XCTAssertEqual(a.count, b.count)
        return zip(a, b).map { abs(Int($0) - Int($1)) }.max() ?? 0
    }

    func testEveryModeWritesTheComposedPictureToTheDeviceAsYUYV() throws {
        let input = try clip(frames: 3)
        let modes: [(String, [String])] = [("overlay", []), ("matte", []), ("cutout", []), ("blur", []),
                                           ("replace", ["--background", "green"])]
        for (mode, extra) in modes {
            let camera = device()
            try? FileManager.default.removeItem(at: camera.framesFile)
            try? FileManager.default.removeItem(at: camera.logFile)
            let frames = path("frames-\(mode)") + "/"
            let result = try SegmentTestKit.run([input, "--model", model, "--prompt", "cat", "--threads", "1",
                                                 "--mode", mode, "-o", "v4l2:" + camera.path, "-o", frames] + extra,
                                                environment: try camera.environment())
            XCTAssertEqual(result.status, 0, "\(mode): \(result.stderrText)")
            let log = camera.log()
            XCTAssertTrue(log.contains("S_FMT YUYV 160x120 sizeimage 38400"), "\(mode): \(log)")
            XCTAssertTrue(log.contains("S_PARM 1/10"), "the source's rate: \(log)")
            XCTAssertEqual(log.last, "close", "the device is closed at the end")
            let written = try camera.frames(frameBytes: 160 * 120 * 2)
            XCTAssertEqual(written.count, 3, mode)
            // The picture the PNG output got, as FFmpeg itself converts it to YUYV (the same libswscale, so
            // equal to the byte; 1 allows for a rounding difference).
            for (index, frame) in written.enumerated() {
                let reference = try ffmpegConversion(of: frames + String(format: "%05d.png", index), to: "yuyv422")
                XCTAssertLessThanOrEqual(largestDifference(frame, reference), 1, "\(mode) frame \(index)")
            }
        }
    }

    func testADeviceTakingOnlyYU12GetsYU12() throws {
        let camera = device(formats: ["RGB3", "YU12"])
        let frames = path("frames") + "/"
        let result = try SegmentTestKit.run([try clip(frames: 3), "--model", model, "--prompt", "cat", "--threads", "1",
                                             "--mode", "blur", "-o", camera.path, "-o", frames],
                                            environment: try camera.environment())
        XCTAssertEqual(result.status, 0, result.stderrText)
        let log = camera.log()
        XCTAssertTrue(log.contains("TRY_FMT YUYV 160x120 EINVAL") || !log.contains { $0.hasPrefix("TRY_FMT YUYV") },
                      "YUYV is not offered: \(log)")
        XCTAssertTrue(log.contains("S_FMT YU12 160x120 sizeimage 28800"), "\(log)")
        let written = try camera.frames(frameBytes: 28800)
        XCTAssertEqual(written.count, 3)
        let reference = try ffmpegConversion(of: frames + "00002.png", to: "yuv420p")
        XCTAssertLessThanOrEqual(largestDifference(written[2], reference), 1)
    }

    func testOutSizeScalesWhatTheVirtualCameraGetsOnly() throws {
        let camera = device()
        let frames = path("frames") + "/"
        let input = try clip(frames: 2)
        let result = try SegmentTestKit.run([input, "--model", model, "--prompt", "cat", "--threads", "1",
                                             "--out-size", "320x240", "-o", "v4l2:" + camera.path, "-o", frames],
                                            environment: try camera.environment())
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertTrue(camera.log().contains("S_FMT YUYV 320x240 sizeimage 153600"), "\(camera.log())")
        let written = try camera.frames(frameBytes: 153600)
        XCTAssertEqual(written.count, 2)
        XCTAssertEqual(try StillImage.load(path: frames + "00001.png").width, 160, "files keep the source's size")
        let reference = try ffmpegConversion(of: frames + "00001.png", to: "yuyv422", size: "320x240")
        XCTAssertLessThanOrEqual(largestDifference(written[1], reference), 1)

        let withoutCamera = try SegmentTestKit.run([input, "--model", model, "--prompt", "cat", "--out-size", "320x240",
                                                    "-o", path("out.mkv")])
        XCTAssertEqual(withoutCamera.status, 64)
        XCTAssertEqual(withoutCamera.stderrText, "Error: --out-size applies to a virtual camera; add -o v4l2:/dev/videoN\n")
    }

    func testCameraFramesAllReachTheDeviceAtTheCameraRateWhateverTheModelSpeed() throws {
        var camera = FakeCamera(path: path("camera"))
        camera.sizes = ["160x120"]
        camera.frameRates = [30]
        camera.disconnectAfter = 30
        let output = device()
        let environment = try camera.environment().merging(try output.environment()) { first, _ in first }
        let result = try SegmentTestKit.run([camera.path, "--model", model, "--prompt", "a person", "--size", "512",
                                             "--threads", "1", "--mode", "blur", "-o", "v4l2:" + output.path,
                                             "-o", path("call.mkv"), "--no-follow-motion"], environment: environment)
        XCTAssertEqual(result.status, 0, result.stderrText)
        let counts = try SegmentTestKit.counts(in: result.stderrText)
        XCTAssertGreaterThan(counts.dropped, 0, "the model is slower than the camera")
        let log = output.log()
        XCTAssertTrue(log.contains("S_FMT YUYV 160x120 sizeimage 38400"), "\(log)")
        XCTAssertTrue(log.contains("S_PARM 1/30"), "\(log)")
        // Every frame composed is written: those the model saw and those dropped before it (with the newest
        // masks); only frames that waited too long for the compositor are passed over, as for every output.
        XCTAssertGreaterThan(counts.written, counts.processed, result.stderrText)
        XCTAssertEqual(try output.frames(frameBytes: 38400).count, counts.written)
        XCTAssertEqual(log.filter { $0.hasPrefix("frame ") }.count, counts.written)
        XCTAssertEqual(try SegmentTestKit.frameCount(path("call.mkv")), counts.written)
    }

    func testControlQuitEndsAVirtualCameraRunCleanly() throws {
        var camera = FakeCamera(path: path("camera"))
        camera.sizes = ["160x120"]
        camera.frameRates = [30]
        camera.disconnectAfter = 3000
        let output = device()
        let environment = try camera.environment().merging(try output.environment()) { first, _ in first }
        let run = try RunningSegment([camera.path, "--model", model, "--prompt", "cat", "--threads", "1",
                                      "-o", "v4l2:" + output.path, "--control", "-"], folder: folder, environment: environment)
        XCTAssertTrue(eventually { output.log().filter { $0.hasPrefix("frame ") }.count >= 10 }, run.stderrText)
        try run.write("threshold 0.9\nquit\n")
        let (status, stderr) = run.finish()
        XCTAssertEqual(status, 0, stderr)
        XCTAssertTrue(stderr.contains("clipseg: control: threshold 0.9"), stderr)
        let counts = try SegmentTestKit.counts(in: stderr)
        XCTAssertEqual(try output.frames(frameBytes: 38400).count, counts.written)
        XCTAssertEqual(output.log().last, "close")
    }

    func testADeviceTakingNoFormatClipsegWritesIsRefusedBeforeAnyOutputOpens() throws {
        let camera = device(formats: ["RGB3", "BGR4"])
        let recording = folder.path("rec.mkv")
        try Data("an older recording".utf8).write(to: recording)
        let result = try SegmentTestKit.run([try clip(frames: 3), "--model", model, "--prompt", "cat",
                                             "-o", recording.path, "-o", "v4l2:" + camera.path, "-y"],
                                            environment: try camera.environment())
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderrText, "Error: -o \(camera.path): the device takes none of the pixel formats clipseg "
                                          + "writes (YUYV, YU12); it offers RGB3, BGR4\n")
        XCTAssertEqual(try String(contentsOf: recording, encoding: .utf8), "an older recording", "nothing else was opened")
        XCTAssertFalse(camera.log().contains { $0.hasPrefix("S_FMT") || $0.hasPrefix("frame") }, "\(camera.log())")
    }

    func testADeviceThatGoesAwayEndsTheRunAndTheOtherOutputsAreFinished() throws {
        var camera = FakeCamera(path: path("camera"))
        camera.sizes = ["160x120"]
        camera.frameRates = [30]
        camera.disconnectAfter = 300
        let output = device(goneAfter: 8)
        let environment = try camera.environment().merging(try output.environment()) { first, _ in first }
        let result = try SegmentTestKit.run([camera.path, "--model", model, "--prompt", "cat", "--threads", "1",
                                             "-o", path("rec.mkv"), "-o", output.path, "--stats", path("stats.ndjson")],
                                            environment: environment)
        XCTAssertEqual(result.status, 1, result.stderrText)
        XCTAssertEqual(result.stderrText.split(separator: "\n").last,
                       "Error: \(output.path): the device went away (No such device)")
        XCTAssertEqual(try output.frames(frameBytes: 38400).count, 8)
        XCTAssertTrue(output.log().contains("gone"))
        let recorded = try SegmentTestKit.frameCount(path("rec.mkv"))
        XCTAssertGreaterThanOrEqual(recorded, 8, "the recording is finished and plays")
        XCTAssertGreaterThanOrEqual(try SegmentTestKit.statistics(folder.path("stats.ndjson")).count, 8)
    }

    func testAV4L2NodeThatIsNotAnOutputIsRefusedAndDevicesNamesTheOutputOne() throws {
        let camera = FakeCamera(path: path("camera"))
        let result = try SegmentTestKit.run([try clip(frames: 3), "--model", model, "--prompt", "cat", "-o", camera.path],
                                            environment: try camera.environment())
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderrText, "Error: -o \(camera.path): not a V4L2 video output device (a video capture device; "
                                          + "a v4l2loopback device another program already writes to shows as video capture)\n")
        let output = device()
        let listing = try ChildProcess.run(TestPaths.clipsegBinary, ["devices", output.path],
                                           environment: try output.environment())
        XCTAssertEqual(listing.stdoutText, "\(output.path)  clipseg fake output (v4l2 loopback, platform:v4l2loopback-000)\n"
                       + "  not a video capture device (video output; segment can write to it: -o v4l2:\(output.path))\n")
        let missing = try SegmentTestKit.run([try clip(frames: 3), "--model", model, "--prompt", "cat",
                                              "-o", "v4l2:" + path("no-such-device")])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderrText.hasPrefix("Error: -o \(path("no-such-device")): no such device"), missing.stderrText)
    }
}
