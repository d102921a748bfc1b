import Foundation
import MediaIO
import TestSupport
import VideoFrames
import XCTest

/// `StillImage.load` over pictures written by the ffmpeg CLI, and `writePNG` read back both ways.
final class StillImageTests: XCTestCase {
    private var folder: TemporaryDirectory!

    override func setUpWithError() throws { folder = try TemporaryDirectory(prefix: "clipseg-still") }
    override func tearDown() { folder.remove() }

    func testLoadsLosslessPNGAndBMPExactly() throws {
        for name in ["red.png", "red.bmp"] {
            let url = folder.path(name)
            try MediaTool.ffmpeg(["-f", "lavfi", "-i", "color=c=red:s=64x48,format=rgb24", "-frames:v", "1", url.path])
            let image = try StillImage.load(url: url)
            XCTAssertEqual(image.width, 64, name)
            XCTAssertEqual(image.height, 48, name)
            XCTAssertEqual(image.maxDistance(to: [255, 0, 0]), 0, name)
            XCTAssertEqual(image.timestamp, 0)
        }
    }

    func testLoadsJPEGWithinCodecTolerance() throws {
        let url = folder.path("blue.jpg")
        try MediaTool.ffmpeg(["-f", "lavfi", "-i", "color=c=blue:s=33x17,format=rgb24", "-frames:v", "1", "-q:v", "2", url.path])
        let image = try StillImage.load(url: url)
        XCTAssertEqual(image.width, 33)
        XCTAssertEqual(image.height, 17)
        XCTAssertLessThanOrEqual(image.maxDistance(to: [0, 0, 255]), 6)
    }

    func testLoadsKnownTestPatternRegion() throws {
        // rgbtestsrc: three horizontal bands (red, green, blue), each a ramp of x * 256 / width.
        let url = folder.path("pattern.png")
        try MediaTool.ffmpeg(["-f", "lavfi", "-i", "rgbtestsrc=size=96x64", "-frames:v", "1", url.path])
        let image = try StillImage.load(url: url)
        XCTAssertEqual(image.width, 96)
        XCTAssertEqual(image.pixel(47, 2), [125, 0, 0])
        XCTAssertEqual(image.pixel(95, 2), [253, 0, 0])
        XCTAssertEqual(image.pixel(95, 32), [0, 253, 0])
        XCTAssertEqual(image.pixel(47, 62), [0, 0, 125])
    }

    func testWritePNGRoundTripsExactlyAndProbesAsPNG() throws {
        var pixels = [UInt8](repeating: 0, count: 7 * 5 * 3)
        for i in pixels.indices { pixels[i] = UInt8(truncatingIfNeeded: i * 37 &+ 11) }
        let frame = RGBFrame(width: 7, height: 5, pixels: pixels)
        let url = folder.path("written.png")
        try StillImage.writePNG(frame, to: url)

        let probe = try MediaTool.probe(url)
        XCTAssertEqual(probe.video?.codec_name, "png")
        XCTAssertEqual(probe.video?.width, 7)
        XCTAssertEqual(probe.video?.height, 5)
        XCTAssertEqual(probe.video?.pix_fmt, "rgb24")
        XCTAssertEqual(try StillImage.load(url: url).pixels, pixels)
    }

    func testMissingFileIsAOneLineError() {
        let url = URL(fileURLWithPath: folder.path("absent.png").path)
        XCTAssertThrowsError(try StillImage.load(url: url)) { error in
            XCTAssertEqual(error as? MediaError, .noSuchFile(url.path))
            XCTAssertEqual("\(error)", "\(url.path): no such file")
        }
    }

    func testRandomBytesAreNotAnImage() throws {
        let url = folder.path("noise.png")
        var generator = SystemRandomNumberGenerator()
        try Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: url)
        XCTAssertThrowsError(try StillImage.load(url: url)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("\(url.path): "), text)
            XCTAssertFalse(text.contains("\n"), text)
        }
    }

    func testWritingIntoAMissingFolderNamesTheFile() {
        let url = folder.path("no/such/folder/out.png")
        XCTAssertThrowsError(try StillImage.writePNG(RGBFrame(width: 2, height: 2), to: url)) { error in
            XCTAssertEqual("\(error)", "\(url.path): write failed (No such file or directory)")
        }
    }
}
