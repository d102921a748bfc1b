import Foundation
import MediaIO
import TestSupport
import VideoFrames
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Mask streams (YUV4MPEG2 gray, raw gray8, PNG folder) and the NDJSON statistics writer, read back
/// with ffmpeg and byte for byte.
final class MaskWriterTests: XCTestCase {
    private var folder: TemporaryDirectory!

    override func setUpWithError() throws { folder = try TemporaryDirectory(prefix: "clipseg-masks") }
    override func tearDown() { folder.remove() }

    /// Mask `n` of a 33×17 stream: a diagonal ramp shifted by n, so every mask differs.
    private func mask(_ n: Int, width: Int = 33, height: Int = 17) -> [UInt8] {
        (0..<(width * height)).map { UInt8(truncatingIfNeeded: ($0 % width) * 7 + ($0 / width) * 3 + n * 11) }
    }

    func testY4MHeaderAndFramesAreExact() throws {
        let url = folder.path("masks.y4m")
        let writer = try Y4MMaskWriter(path: url.path, width: 33, height: 17, frameRate: FrameRateFraction(approximating: 29.97))
        for n in 0..<4 { try writer.write(mask(n)) }
        try writer.finish()
        try writer.finish()
        var expected = Array("YUV4MPEG2 W33 H17 F30000:1001 Ip A1:1 Cmono XCOLORRANGE=FULL\n".utf8)
        for n in 0..<4 { expected += Array("FRAME\n".utf8) + mask(n) }
        XCTAssertEqual([UInt8](try Data(contentsOf: url)), expected)
        XCTAssertEqual(writer.header, "YUV4MPEG2 W33 H17 F30000:1001 Ip A1:1 Cmono XCOLORRANGE=FULL")
    }

    func testY4MDecodesWithFFmpegAsGray() throws {
        let url = folder.path("masks.y4m")
        let writer = try Y4MMaskWriter(path: url.path, width: 33, height: 17, frameRate: FrameRateFraction(numerator: 10, denominator: 1))
        for n in 0..<5 { try writer.write(mask(n)) }
        try writer.finish()
        let probe = try MediaTool.probe(url, countFrames: true)
        XCTAssertEqual(probe.video?.codec_name, "rawvideo")
        XCTAssertEqual(probe.video?.pix_fmt, "gray")
        XCTAssertEqual(probe.video?.width, 33)
        XCTAssertEqual(probe.video?.height, 17)
        XCTAssertEqual(probe.video?.r_frame_rate, "10/1")
        XCTAssertEqual(probe.video?.nb_read_frames, "5")
        let decoded = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-i", url.path, "-f", "rawvideo", "-pix_fmt", "gray", "-"])
        XCTAssertEqual([UInt8](decoded.stdout), (0..<5).flatMap { mask($0) })
    }

    func testY4MToStandardOutput() throws {
        let url = folder.path("stdout.y4m")
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(descriptor) }
        try withStandardOutput(redirectedTo: descriptor) {
            let writer = try Y4MMaskWriter(path: "-", width: 33, height: 17, frameRate: FrameRateFraction(approximating: 25))
            for n in 0..<3 { try writer.write(mask(n)) }
            try writer.finish()
        }
        XCTAssertEqual(try MediaTool.decodedFrameCount(url), 3)
    }

    func testClosedReaderIsOutputClosed() throws {
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        close(ends[0])
        defer { close(ends[1]) }
        let caught: Error? = withStandardOutput(redirectedTo: ends[1]) {
            do {
                let writer = try Y4MMaskWriter(path: "-", width: 33, height: 17, frameRate: FrameRateFraction(approximating: 25))
                try writer.write(mask(0))
                return nil
            } catch { return error }
        }
        XCTAssertEqual(caught as? MediaError, .outputClosed("standard output"))
        // …which the pipeline's sink stage recognises without knowing MediaIO.
        XCTAssertEqual((caught as? any OutputClosedError)?.isOutputClosed, true)
        XCTAssertEqual(MediaError.writeFailed("standard output", reason: "EIO").isOutputClosed, false)
    }

    func testRawGrayIsJustTheBytes() throws {
        let url = folder.path("masks.gray")
        let writer = try RawGrayMaskWriter(path: url.path, width: 33, height: 17)
        let masks = (0..<3).map { mask($0) }
        try writer.write(masks[0])
        // A prompt's plane out of a larger [prompts, height, width] buffer, without copying it first.
        let planes = masks[1] + masks[2]
        try writer.write(planes[(33 * 17)...])
        try writer.finish()
        XCTAssertEqual([UInt8](try Data(contentsOf: url)), masks[0] + masks[2])
        let probe = try ChildProcess.runTool("ffprobe", ["-v", "error", "-f", "rawvideo", "-pixel_format", "gray", "-video_size", "33x17",
                                                         "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", url.path])
        XCTAssertEqual(probe.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines), "2")
    }

    func testPNGFolderHoldsGrayPNGs() throws {
        let path = folder.path("masks").path
        let writer = try PNGMaskDirectoryWriter(folder: path, width: 33, height: 17)
        for n in 0..<3 { try writer.write(mask(n)) }
        try writer.finish()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path).sorted(), ["00000.png", "00001.png", "00002.png"])
        let second = URL(fileURLWithPath: writer.path(ofMask: 1))
        XCTAssertEqual(try MediaTool.probe(second).video?.pix_fmt, "gray")
        let decoded = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-i", second.path, "-f", "rawvideo", "-pix_fmt", "gray", "-"])
        XCTAssertEqual([UInt8](decoded.stdout), mask(1))
    }

    func testWrongMaskSizeIsRefused() throws {
        let url = folder.path("bad.y4m")
        let writer = try Y4MMaskWriter(path: url.path, width: 4, height: 4, frameRate: FrameRateFraction(approximating: 25))
        XCTAssertThrowsError(try writer.write([UInt8](repeating: 0, count: 15))) { error in
            XCTAssertEqual("\(error)", "\(url.path): a 4x4 mask needs 16 bytes, got 15")
        }
    }

    func testFrameRateFractions() {
        XCTAssertEqual(FrameRateFraction(approximating: 30).description, "30:1")
        XCTAssertEqual(FrameRateFraction(approximating: 29.97).description, "30000:1001")
        XCTAssertEqual(FrameRateFraction(approximating: 30000.0 / 1001).description, "30000:1001")
        XCTAssertEqual(FrameRateFraction(approximating: 23.976).description, "24000:1001")
        XCTAssertEqual(FrameRateFraction(approximating: 12.5).description, "25:2")
        XCTAssertEqual(FrameRateFraction(approximating: 0).description, "25:1")
        XCTAssertEqual(FrameRateFraction(approximating: .nan).description, "25:1")
    }

    func testStatisticsWriterWritesOneLinePerCall() throws {
        let url = folder.path("stats.ndjson")
        let writer = try StatisticsWriter(path: url.path)
        try writer.write(line: #"{"frame":0,"time":0,"prompts":[]}"#)
        try writer.write(line: #"{"frame":1,"time":0.04,"prompts":[]}"#)
        XCTAssertThrowsError(try writer.write(line: "{\n}"))
        try writer.finish()
        try writer.finish()
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "{\"frame\":0,\"time\":0,\"prompts\":[]}\n{\"frame\":1,\"time\":0.04,\"prompts\":[]}\n")
        XCTAssertThrowsError(try writer.write(line: "{}"))
    }
}
