import Foundation
import XCTest
import TestSupport
@testable import MediaIO

/// Camera naming, size parsing, nearest-format choice and error wording (no device needed).
final class CameraDeviceTests: XCTestCase {
    func testCameraNumberNamesDevVideoN() {
        XCTAssertEqual(CameraDevice.path(for: "camera:0"), "/dev/video0")
        XCTAssertEqual(CameraDevice.path(for: "camera:12"), "/dev/video12")
        XCTAssertNil(CameraDevice.path(for: "camera:"))
        XCTAssertNil(CameraDevice.path(for: "camera:x"))
        XCTAssertNil(CameraDevice.path(for: "camera:-1"))
        XCTAssertNil(CameraDevice.path(for: "camera:٣"), "only ASCII digits")
    }

    func testFilesAndOtherDevicesAreNotCameras() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let file = folder.path("clip.mp4")
        try Data([0, 1, 2]).write(to: file)
        XCTAssertNil(CameraDevice.path(for: file.path))
        XCTAssertNil(CameraDevice.path(for: folder.url.path))
        XCTAssertNil(CameraDevice.path(for: "/dev/null"), "a character device, but not video4linux")
        XCTAssertNil(CameraDevice.path(for: "-"))
        XCTAssertNil(CameraDevice.path(for: "rtsp://example.com/stream"))
    }

    func testSystemDevicesAreSortedByNumber() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        for name in ["video10", "video2", "video0", "videos", "vbi0", "media0"] {
            try Data().write(to: folder.path(name))
        }
        XCTAssertEqual(CameraDevice.systemDevicePaths(in: folder.url.path),
                       ["video0", "video2", "video10"].map { folder.url.path + "/" + $0 })
    }

    func testDescribingANonDeviceThrowsOneLineErrors() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let file = folder.path("notes.txt")
        try Data("hello".utf8).write(to: file)
        XCTAssertThrowsError(try CameraDevice.describe(file.path)) {
            XCTAssertEqual($0 as? CameraError, .notV4L2Device(file.path))
            XCTAssertEqual("\($0)", "\(file.path): not a V4L2 video device")
        }
        XCTAssertThrowsError(try CameraDevice.describe(folder.path("missing").path)) {
            XCTAssertEqual("\($0)", "camera \(folder.path("missing").path): no such device")
        }
        XCTAssertThrowsError(try CameraSource(device: file.path)) {
            XCTAssertEqual($0 as? CameraError, .notV4L2Device(file.path))
        }
    }

    func testSizeParsing() {
        XCTAssertEqual(CameraSize(parsing: "640x480"), CameraSize(width: 640, height: 480))
        XCTAssertEqual(CameraSize(parsing: "1280X720"), CameraSize(width: 1280, height: 720))
        for bad in ["640", "640x", "x480", "0x480", "-640x480", "640x480x2", "axb", "", "640 x 480"] {
            XCTAssertNil(CameraSize(parsing: bad), bad)
        }
        XCTAssertEqual(CameraSize(width: 320, height: 240).description, "320x240")
    }

    func testNearestSizeAmongDiscreteSizes() {
        let offered: [CameraSizeOption] = [(640, 480), (320, 240), (1280, 720)].map {
            .discrete(CameraSize(width: $0.0, height: $0.1), frameRates: .unknown)
        }
        func nearest(_ width: Int, _ height: Int) -> CameraSize? {
            CameraFormatChoice.nearestSize(to: CameraSize(width: width, height: height), among: offered)
        }
        XCTAssertEqual(nearest(640, 480), CameraSize(width: 640, height: 480))
        XCTAssertEqual(nearest(800, 600), CameraSize(width: 640, height: 480))
        XCTAssertEqual(nearest(1920, 1080), CameraSize(width: 1280, height: 720))
        XCTAssertEqual(nearest(100, 100), CameraSize(width: 320, height: 240))
        // 960x600 is 440 from 640x480 and 440 from 1280x720: the larger wins a tie.
        XCTAssertEqual(nearest(960, 600), CameraSize(width: 1280, height: 720))
        XCTAssertNil(CameraFormatChoice.nearestSize(to: CameraSize(width: 1, height: 1), among: []))
    }

    func testNearestSizeInARangeIsClampedAndStepped() {
        let range = CameraSizeOption.range(min: CameraSize(width: 160, height: 120),
                                           max: CameraSize(width: 1920, height: 1080),
                                           step: CameraSize(width: 16, height: 8), frameRates: .unknown)
        XCTAssertEqual(CameraFormatChoice.nearestSize(to: CameraSize(width: 641, height: 479), among: [range]),
                       CameraSize(width: 640, height: 480))
        XCTAssertEqual(CameraFormatChoice.nearestSize(to: CameraSize(width: 4000, height: 3000), among: [range]),
                       CameraSize(width: 1920, height: 1080))
        XCTAssertEqual(CameraFormatChoice.nearestSize(to: CameraSize(width: 10, height: 10), among: [range]),
                       CameraSize(width: 160, height: 120))
    }

    func testNearestRate() {
        XCTAssertEqual(CameraFormatChoice.nearestRate(to: 30, among: .discrete([30, 15])), 30)
        XCTAssertEqual(CameraFormatChoice.nearestRate(to: 25, among: .discrete([30, 15])), 30)
        XCTAssertEqual(CameraFormatChoice.nearestRate(to: 20, among: .discrete([30, 15])), 15)
        XCTAssertEqual(CameraFormatChoice.nearestRate(to: 22.5, among: .discrete([15, 30])), 30, "a tie goes to the faster")
        XCTAssertEqual(CameraFormatChoice.nearestRate(to: 60, among: .range(min: 5, max: 30)), 30)
        XCTAssertEqual(CameraFormatChoice.nearestRate(to: 12.5, among: .range(min: 5, max: 30)), 12.5)
        XCTAssertNil(CameraFormatChoice.nearestRate(to: 30, among: .unknown))
        XCTAssertEqual(CameraFormatChoice.describeRate(29.97), "29.97 fps")
        XCTAssertEqual(CameraFormatChoice.describeRate(7.5), "7.5 fps")
        XCTAssertEqual(CameraFormatChoice.describeRate(30), "30 fps")
    }

    func testErrorMessagesNameTheDevice() {
        let device = "/dev/video0"
        XCTAssertEqual("\(CameraError.busy(device))", "camera /dev/video0 is busy (another program is using it)")
        XCTAssertEqual("\(CameraError.permissionDenied(device))",
                       "camera /dev/video0: permission denied (is this user in the 'video' group?)")
        XCTAssertEqual("\(CameraError.notCaptureDevice(device, kind: "metadata"))",
                       "/dev/video0: not a video capture device (metadata)")
        XCTAssertEqual("\(CameraError.formatRefused(device, format: "RGB24 640x480", reason: "Invalid argument"))",
                       "camera /dev/video0: format RGB24 640x480 refused (Invalid argument)")
        XCTAssertEqual("\(CameraError.stalled(device, seconds: 10))", "camera /dev/video0: no frame for 10 s, giving up")
        XCTAssertEqual("\(CameraError.stalled(device, seconds: 2.25))", "camera /dev/video0: no frame for 2.3 s, giving up")
        XCTAssertEqual(CameraError.from(errno: EBUSY, device: device, operation: "open"), .busy(device))
        XCTAssertEqual(CameraError.from(errno: EACCES, device: device, operation: "open"), .permissionDenied(device))
        XCTAssertEqual("\(CameraError.from(errno: EIO, device: device, operation: "VIDIOC_DQBUF"))",
                       "camera /dev/video0: VIDIOC_DQBUF failed (Input/output error)")
    }
}
