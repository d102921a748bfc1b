import Foundation
import MediaIO
import TestSupport
import VideoFrames
import XCTest

/// Mattes with an alpha channel (ProRes 4444, VP9 with alpha, RGBA PNGs) and plain PNG sequences.
final class VideoWriterAlphaTests: XCTestCase {
    private var folder: TemporaryDirectory!

    override func setUpWithError() throws { folder = try TemporaryDirectory(prefix: "clipseg-alpha") }
    override func tearDown() { folder.remove() }

    private func writeMatte(to path: String, count: Int = 3) throws -> VideoWriter {
        let writer = try VideoWriter(path: path, width: 64, height: 48, options: VideoWriterOptions(frameRate: 10, alpha: true))
        let alpha = SyntheticFrame.leftHalfOpaque(width: 64, height: 48)
        for frame in SyntheticFrame.clip(width: 64, height: 48, count: count) { try writer.write(frame, alpha: alpha) }
        try writer.finish()
        return writer
    }

    /// The RGBA bytes of the first frame as ffmpeg decodes them (with `decoder` when given, e.g. libvpx-vp9 for VP9 alpha).
    private func firstFrameRGBA(_ url: URL, decoder: String? = nil) throws -> [UInt8] {
        let codec = decoder.map { ["-c:v", $0] } ?? []
        let result = try ChildProcess.runTool("ffmpeg", ["-v", "error"] + codec + ["-i", url.path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgba", "-"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        return [UInt8](result.stdout)
    }

    /// Alpha at (x, y) of a 64-wide RGBA picture.
    private func alpha(_ rgba: [UInt8], _ x: Int, _ y: Int) -> Int { Int(rgba[(y * 64 + x) * 4 + 3]) }

    func testProRes4444MovKeepsAlpha() throws {
        let url = folder.path("matte.mov")
        let writer = try writeMatte(to: url.path)
        XCTAssertEqual(writer.encoderName, "prores_ks")
        let probe = try MediaTool.probe(url, countFrames: true)
        XCTAssertEqual(probe.video?.codec_name, "prores")
        XCTAssertEqual(probe.video?.pix_fmt, "yuva444p12le", "ProRes 4444 decodes with its alpha plane")
        XCTAssertEqual(probe.video?.nb_read_frames, "3")
        let rgba = try firstFrameRGBA(url)
        XCTAssertEqual(rgba.count, 64 * 48 * 4)
        XCTAssertEqual(alpha(rgba, 5, 5), 255)
        XCTAssertEqual(alpha(rgba, 60, 40), 0)
        XCTAssertEqual(Array(rgba[0..<3]), [255, 0, 0])
    }

    func testVP9WebMKeepsAlpha() throws {
        let url = folder.path("matte.webm")
        let writer = try writeMatte(to: url.path)
        XCTAssertEqual(writer.encoderName, "libvpx-vp9")
        let probe = try MediaTool.probe(url, countFrames: true)
        XCTAssertEqual(probe.video?.codec_name, "vp9")
        XCTAssertEqual(probe.video?.nb_read_frames, "3")
        let rgba = try firstFrameRGBA(url, decoder: "libvpx-vp9")
        XCTAssertGreaterThanOrEqual(alpha(rgba, 5, 5), 250)
        XCTAssertLessThanOrEqual(alpha(rgba, 60, 40), 5)
    }

    func testRGBAPNGSequenceInAFolder() throws {
        let folderPath = folder.path("matte").path + "/"
        _ = try writeMatte(to: folderPath, count: 3)
        let names = try FileManager.default.contentsOfDirectory(atPath: folderPath).sorted()
        XCTAssertEqual(names, ["00000.png", "00001.png", "00002.png"])
        let first = folder.path("matte/00000.png")
        XCTAssertEqual(try MediaTool.probe(first).video?.pix_fmt, "rgba")
        let rgba = try firstFrameRGBA(first)
        XCTAssertEqual(alpha(rgba, 5, 5), 255)
        XCTAssertEqual(alpha(rgba, 60, 40), 0)
        XCTAssertEqual(Array(rgba[0..<4]), [255, 0, 0, 255])
    }

    func testPNGPatternWritesExactRGBFrames() throws {
        let pattern = folder.path("frame-%03d.png").path
        let frames = SyntheticFrame.clip(width: 33, height: 17, count: 2)
        let writer = try VideoWriter(path: pattern, width: 33, height: 17, options: VideoWriterOptions(frameRate: 10))
        for frame in frames { try writer.write(frame) }
        try writer.finish()
        XCTAssertEqual(writer.containerName, "image2")
        XCTAssertEqual(try StillImage.load(url: folder.path("frame-000.png")).pixels, frames[0].pixels)
        XCTAssertEqual(try StillImage.load(url: folder.path("frame-001.png")).pixels, frames[1].pixels)
        XCTAssertEqual(try MediaTool.probe(folder.path("frame-001.png")).video?.pix_fmt, "rgb24")
    }

    func testAlphaOutputNeedsAnAlphaPlane() throws {
        let writer = try VideoWriter(path: folder.path("m.mov").path, width: 8, height: 8, options: VideoWriterOptions(alpha: true))
        XCTAssertThrowsError(try writer.write(RGBFrame(width: 8, height: 8))) { error in
            XCTAssertEqual("\(error)", "\(self.folder.path("m.mov").path): alpha output needs 64 alpha bytes per frame, got 0")
        }
    }
}
