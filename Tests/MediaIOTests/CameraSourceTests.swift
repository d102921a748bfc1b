import Foundation
import VideoFrames
import XCTest
import TestSupport
@testable import MediaIO

/// `CameraSource` against the fake camera. LD_PRELOAD only reaches a new process, so each test runs
/// itself again in a child copy of this test bundle with the fake loaded (`inChild`), and the parent
/// passes when the child's assertions do.
final class CameraSourceTests: XCTestCase {
    private static let childMarker = "CLIPSEG_CAMERA_TEST_CHILD"
    private var isChild: Bool { ProcessInfo.processInfo.environment[CameraSourceTests.childMarker] != nil }

    /// In the parent: reruns `test` (this method's name) in a child with `camera`'s environment and
    /// asserts that it passed. In the child: runs `body`.
    private func inChild(_ camera: FakeCamera, test: String = #function, _ body: () throws -> Void) throws {
        if isChild { return try body() }
        let name = "MediaIOTests.CameraSourceTests/" + test.replacingOccurrences(of: "()", with: "")
        var environment = try camera.environment()
        environment[CameraSourceTests.childMarker] = "1"
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let result = try ChildProcess.run(bundle, [name], environment: environment, timeout: 90)
        let output = result.stdoutText + result.stderrText
        XCTAssertEqual(result.status, 0, "child \(name) failed:\n\(output)")
        XCTAssertTrue(output.contains("Executed 1 test"), "child \(name) ran no test:\n\(output)")
    }

    func testFramesArriveInOrderWithTimestampsAndTheExactPattern() throws {
        try inChild(FakeCamera()) {
            let source = try CameraSource(device: FakeCamera.defaultPath,
                                          options: CameraOptions(size: CameraSize(width: 320, height: 240), frameRate: 30))
            defer { source.close() }
            XCTAssertEqual(source.info, SourceInfo(name: FakeCamera.defaultPath, width: 320, height: 240,
                                                   frameRate: 30, isLive: true))
            XCTAssertEqual(source.warnings, [])
            var frames: [RGBFrame] = []
            for _ in 0..<5 { frames.append(try XCTUnwrap(try source.nextFrame())) }
            XCTAssertEqual(frames.map(\.index), [0, 1, 2, 3, 4])
            XCTAssertEqual(frames[0].timestamp, 0)
            let counters = frames.map { FakeCamera.counter(inRGB: $0.pixels, width: 320) }
            XCTAssertEqual(counters.first, 0)
            for (previous, next) in zip(frames, frames.dropFirst()) {
                // The fake stamps each frame with the start of its period: 1/30 s per counter step.
                let periods = Double(FakeCamera.counter(inRGB: next.pixels, width: 320)
                                     - FakeCamera.counter(inRGB: previous.pixels, width: 320))
                XCTAssertGreaterThan(periods, 0)
                XCTAssertEqual(next.timestamp - previous.timestamp, periods / 30, accuracy: 0.001)
            }
            XCTAssertEqual(source.skippedFrames, counters.last! + 1 - counters.count)
            for frame in frames {
                XCTAssertEqual(frame.pixels.count, 320 * 240 * 3)
                for bar in 0..<8 {
                    XCTAssertEqual(FakeCamera.barPixel(bar, inRGB: frame.pixels, width: 320, height: 240),
                                   FakeCamera.barColours[bar])
                }
            }
        }
    }

    func testDeviceDefaultsAreKeptWhenNothingIsAsked() throws {
        try inChild(FakeCamera()) {
            let source = try CameraSource(device: FakeCamera.defaultPath, options: CameraOptions(size: nil, frameRate: nil))
            defer { source.close() }
            XCTAssertEqual(source.info.width, 640)
            XCTAssertEqual(source.info.height, 480)
            XCTAssertEqual(source.info.frameRate, 30)
            XCTAssertEqual(source.warnings, [])
            XCTAssertEqual(try source.nextFrame()?.pixels.count, 640 * 480 * 3)
        }
    }

    func testNearestSizeAndRateAreNoticed() throws {
        try inChild(FakeCamera()) {
            let source = try CameraSource(device: FakeCamera.defaultPath,
                                          options: CameraOptions(size: CameraSize(width: 1200, height: 700), frameRate: 14))
            defer { source.close() }
            XCTAssertEqual(source.info.width, 1280)
            XCTAssertEqual(source.info.frameRate, 15)
            XCTAssertEqual(source.warnings, [
                "camera /tmp/clipseg-fakecam0: 1200x700 is not offered; using the nearest, 1280x720",
                "camera /tmp/clipseg-fakecam0: 14 fps is not offered at 1280x720; using the nearest, 15 fps",
            ])
        }
    }

    func testDisconnectReturnsNilAndNamesTheDevice() throws {
        var camera = FakeCamera()
        camera.disconnectAfter = 2
        try inChild(camera) {
            let heard = Heard()
            let source = try CameraSource(device: FakeCamera.defaultPath,
                                          options: CameraOptions(size: CameraSize(width: 320, height: 240)),
                                          onWarning: { heard.append($0) })
            XCTAssertNotNil(try source.nextFrame())
            XCTAssertNotNil(try source.nextFrame())
            XCTAssertNil(try source.nextFrame())
            XCTAssertNil(try source.nextFrame(), "stays ended")
            XCTAssertEqual(source.warnings, ["camera /tmp/clipseg-fakecam0 disconnected after 2 frames"])
            XCTAssertEqual(heard.messages, source.warnings)
            source.close()
        }
    }

    func testCloseFromAnotherThreadWakesABlockedNextFrame() throws {
        var camera = FakeCamera()
        camera.stallAfter = 1
        camera.stallSeconds = 600
        try inChild(camera) {
            let source = try CameraSource(device: FakeCamera.defaultPath,
                                          options: CameraOptions(size: CameraSize(width: 320, height: 240),
                                                                 stallTimeout: 300))
            XCTAssertNotNil(try source.nextFrame())
            // The camera now stalls for 10 minutes; nextFrame blocks until close() arrives. The closer waits
            // until nextFrame is seen blocked (its stall warning), not for a time.
            let closer = Thread {
                let deadline = Date().addingTimeInterval(60)
                while source.warnings.isEmpty && Date() < deadline { usleep(1_000) }
                source.close()
            }
            closer.start()
            XCTAssertNil(try source.nextFrame())
            XCTAssertTrue(source.warnings.first?.hasPrefix("camera /tmp/clipseg-fakecam0: no frame for ") ?? false,
                          "\(source.warnings)")
            XCTAssertNil(try source.nextFrame(), "closed stays closed")
        }
    }

    func testStallBeyondTheTimeoutThrows() throws {
        var camera = FakeCamera()
        camera.stallAfter = 1
        camera.stallSeconds = 600
        try inChild(camera) {
            let source = try CameraSource(device: FakeCamera.defaultPath,
                                          options: CameraOptions(size: CameraSize(width: 320, height: 240),
                                                                 stallTimeout: 0.5))
            defer { source.close() }
            XCTAssertNotNil(try source.nextFrame())
            XCTAssertThrowsError(try source.nextFrame()) { error in
                XCTAssertEqual(error as? CameraError, .stalled("/tmp/clipseg-fakecam0", seconds: 0.5))
                XCTAssertEqual("\(error)", "camera /tmp/clipseg-fakecam0: no frame for 0.5 s, giving up")
            }
            XCTAssertEqual(source.warnings.count, 1, "\(source.warnings)")
            XCTAssertTrue(source.warnings[0].hasSuffix("; waiting up to 0.5 s"), source.warnings[0])
        }
    }

    func testACallerPausingLongerThanTheStallTimeoutIsNotAStall() throws {
        try inChild(FakeCamera()) {
            let stallTimeout = 1.0, pause = 2.0
            let source = try CameraSource(device: FakeCamera.defaultPath,
                                          options: CameraOptions(size: CameraSize(width: 320, height: 240),
                                                                 stallTimeout: stallTimeout))
            defer { source.close() }
            XCTAssertNotNil(try source.nextFrame())
            // The caller's own pause is what is tested, not a synchronisation; the camera keeps filling its
            // buffers meanwhile. A stall counted from the last frame would throw here (pause > timeout).
            Thread.sleep(forTimeInterval: pause)
            XCTAssertNotNil(try source.nextFrame())
            XCTAssertNotNil(try source.nextFrame())
            // A loaded machine may starve the camera's thread for a poll period (0.13 s at 30 fps) and cost a
            // passing "no frame for 0.1 s" warning; the pause itself must never be reported as silence.
            for warning in source.warnings {
                let silence = warning.firstMatch(of: /no frame for ([0-9.]+) s/).flatMap { Double($0.output.1) }
                XCTAssertLessThan(silence ?? 0, stallTimeout, warning)
                XCTAssertTrue(silence != nil || warning.contains("frames resumed after"), warning)
            }
        }
    }

    func testOpenErrorsAreTyped() throws {
        var busy = FakeCamera()
        busy.busy = .stream
        try inChild(busy) {
            XCTAssertThrowsError(try CameraSource(device: FakeCamera.defaultPath)) { error in
                XCTAssertEqual(error as? CameraError, .busy("/tmp/clipseg-fakecam0"))
            }
            XCTAssertThrowsError(try CameraSource(device: "/tmp/clipseg-no-camera-here")) { error in
                XCTAssertEqual(error as? CameraError, .noSuchDevice("/tmp/clipseg-no-camera-here"))
            }
        }
    }

    func testTheFakeNodeLooksLikeAVideoDevice() throws {
        try inChild(FakeCamera()) {
            XCTAssertTrue(CameraDevice.isVideoDeviceNode(FakeCamera.defaultPath))
            XCTAssertEqual(CameraDevice.path(for: FakeCamera.defaultPath), FakeCamera.defaultPath)
            let info = try CameraDevice.describe(FakeCamera.defaultPath)
            XCTAssertTrue(info.canCapture)
            XCTAssertEqual(info.formats.map(\.fourCC), ["YUYV"])
            XCTAssertEqual(info.formats.first?.sizes.first,
                           .discrete(CameraSize(width: 640, height: 480), frameRates: .discrete([30, 15])))
        }
    }
}

/// Warnings heard through `onWarning`, from whichever thread.
private final class Heard: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ message: String) { lock.lock(); list.append(message); lock.unlock() }
    var messages: [String] { lock.lock(); defer { lock.unlock() }; return list }
}
