import Foundation
import MediaIO
import TestSupport
import XCTest

/// Pictures over the pixel limit are refused from the stream parameters, before a picture is decoded:
/// still images (`OpenedStillImage`, `StillImage.load`) and video files (`VideoFileSource`).
final class PixelLimitTests: XCTestCase {
    private var folder: TemporaryDirectory!

    override func setUpWithError() throws { folder = try TemporaryDirectory(prefix: "clipseg-pixel-limit") }
    override func tearDown() { folder.remove() }

    private func assertRefused(_ body: () throws -> Void, name: String, width: Int, height: Int, limit: Int,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual(error as? MediaError, .tooManyPixels(name, width: width, height: height, limit: limit),
                           file: file, line: line)
            XCTAssertEqual("\(error)", "\(name): pictures of \(width)×\(height) pixels are more than the limit of \(limit) pixels",
                           file: file, line: line)
        }
    }

    func testStillImageSizeIsKnownBeforeDecodingAndTheLimitIsInclusive() throws {
        let url = folder.path("wide.png")
        try MediaTool.ffmpeg(["-f", "lavfi", "-i", "color=c=red:s=64x48,format=rgb24", "-frames:v", "1", url.path])
        let opened = try OpenedStillImage(path: url.path, maximumPixels: 64 * 48)
        XCTAssertEqual(opened.width, 64)
        XCTAssertEqual(opened.height, 48)
        let picture = try opened.decode()
        XCTAssertEqual(picture.pixels.count, 64 * 48 * 3)
        XCTAssertThrowsError(try opened.decode(), "decoded twice")
        assertRefused({ _ = try OpenedStillImage(path: url.path, maximumPixels: 64 * 48 - 1) },
                      name: url.path, width: 64, height: 48, limit: 64 * 48 - 1)
        assertRefused({ _ = try StillImage.load(path: url.path, maximumPixels: 100) },
                      name: url.path, width: 64, height: 48, limit: 100)
    }

    func testDefaultLimitLetsOrdinaryPicturesThrough() throws {
        XCTAssertEqual(PixelLimit.defaultMaximum, 120_000_000)
        let url = folder.path("photo.jpg")
        try MediaTool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=640x480", "-frames:v", "1", url.path])
        XCTAssertEqual(try StillImage.load(path: url.path).width, 640)
    }

    func testVideoFileSourceRefusesLargeFramesWhenItOpens() throws {
        let url = folder.path("clip.mp4")
        try MediaTool.makeClip(url, source: "testsrc2=size=160x120:rate=10", duration: 0.3,
                               codecArguments: ["-c:v", "libx264", "-pix_fmt", "yuv420p"])
        assertRefused({ _ = try VideoFileSource(path: url.path, maximumPixels: 160 * 120 - 1) },
                      name: url.path, width: 160, height: 120, limit: 160 * 120 - 1)
        let source = try VideoFileSource(path: url.path, maximumPixels: 160 * 120)
        defer { source.close() }
        XCTAssertEqual(try source.nextFrame()?.width, 160)
    }
}
