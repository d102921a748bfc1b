import Foundation
import XCTest
import TestSupport

/// `clipseg devices [PATH…]`: the real binary listing the fake camera (LD_PRELOAD) and refusing non-cameras.
final class DevicesListingTests: XCTestCase {
    func testListsTheFakeCameraWithItsFormatSizesAndRates() throws {
        let camera = FakeCamera()
        let result = try ChildProcess.run(TestPaths.clipsegBinary, ["devices", camera.path],
                                          environment: try camera.environment(), timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stderrText, "")
        XCTAssertEqual(result.stdoutText, """
            /tmp/clipseg-fakecam0  clipseg fake camera (clipseg-fakecam, platform:clipseg-fakecam)
              YUYV  YUYV 4:2:2  640x480   30, 15 fps
                                320x240   30, 15 fps
                                1280x720  30, 15 fps

            """)
    }

    func testListsConfiguredSizesRatesAndName() throws {
        var camera = FakeCamera(path: "/tmp/clipseg-fakecam-listing")
        camera.sizes = ["160x120", "1920x1080"]
        camera.frameRates = [60, 5]
        camera.card = "Desk Cam"
        let result = try ChildProcess.run(TestPaths.clipsegBinary, ["devices", camera.path],
                                          environment: try camera.environment(), timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stdoutText, """
            /tmp/clipseg-fakecam-listing  Desk Cam (clipseg-fakecam, platform:clipseg-fakecam)
              YUYV  YUYV 4:2:2  160x120    60, 5 fps
                                1920x1080  60, 5 fps

            """)
    }

    func testListsEveryFormat() throws {
        var camera = FakeCamera()
        camera.formats = ["YUYV", "MJPG"]
        camera.sizes = ["320x240"]
        camera.frameRates = [30]
        let result = try ChildProcess.run(TestPaths.clipsegBinary, ["devices", camera.path],
                                          environment: try camera.environment(), timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stdoutText, """
            /tmp/clipseg-fakecam0  clipseg fake camera (clipseg-fakecam, platform:clipseg-fakecam)
              YUYV  YUYV 4:2:2   320x240  30 fps
              MJPG  Motion-JPEG  320x240  30 fps

            """)
    }

    func testMetadataNodeIsListedAsNotACaptureDevice() throws {
        var camera = FakeCamera()
        camera.notCapture = true
        let result = try ChildProcess.run(TestPaths.clipsegBinary, ["devices", camera.path],
                                          environment: try camera.environment(), timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stdoutText, """
            /tmp/clipseg-fakecam0  clipseg fake camera (clipseg-fakecam, platform:clipseg-fakecam)
              not a video capture device (metadata)

            """)
    }

    func testMissingDeviceIsAOneLineErrorAndTheOthersAreStillListed() throws {
        let camera = FakeCamera()
        let missing = "/tmp/clipseg-no-such-camera-\(ProcessInfo.processInfo.processIdentifier)"
        let result = try ChildProcess.run(TestPaths.clipsegBinary, ["devices", missing, camera.path],
                                          environment: try camera.environment(), timeout: 60)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderrText, "error: camera \(missing): no such device\n")
        XCTAssertTrue(result.stdoutText.hasPrefix("/tmp/clipseg-fakecam0  clipseg fake camera"), result.stdoutText)
    }

    func testRegularFileIsNotAV4L2Device() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let file = folder.path("notes.txt")
        try Data("not a camera\n".utf8).write(to: file)
        let result = try ChildProcess.run(TestPaths.clipsegBinary, ["devices", file.path], timeout: 60)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderrText, "error: \(file.path): not a V4L2 video device\n")
        XCTAssertEqual(result.stdoutText, "")
    }

    func testCameraNumberNamesDevVideoN() throws {
        let number = 97
        try XCTSkipIf(FileManager.default.fileExists(atPath: "/dev/video\(number)"), "/dev/video\(number) exists here")
        let result = try ChildProcess.run(TestPaths.clipsegBinary, ["devices", "camera:\(number)"], timeout: 60)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderrText, "error: camera /dev/video\(number): no such device\n")
    }

    func testWithoutDevicesPrintsANoteAndSucceeds() throws {
        let nodes = (try? FileManager.default.contentsOfDirectory(atPath: "/dev"))?.filter { $0.hasPrefix("video") } ?? []
        try XCTSkipUnless(nodes.isEmpty, "this machine has /dev/video* nodes")
        let result = try ChildProcess.run(TestPaths.clipsegBinary, ["devices"], timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stdoutText, "No cameras found (no /dev/video* devices).\n")
        XCTAssertEqual(result.stderrText, "")
    }
}
