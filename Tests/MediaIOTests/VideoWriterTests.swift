import Foundation
import MediaIO
import TestSupport
import VideoFrames
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `VideoWriter` to files: containers and codecs by extension, timestamps, odd sizes, audio copy;
/// every output checked with ffprobe and read back.
final class VideoWriterTests: XCTestCase {
    private var folder: TemporaryDirectory!

    override func setUpWithError() throws { folder = try TemporaryDirectory(prefix: "clipseg-writer") }
    override func tearDown() { folder.remove() }

    private func write(_ frames: [RGBFrame], to path: String, options: VideoWriterOptions = VideoWriterOptions(frameRate: 10)) throws -> VideoWriter {
        let writer = try VideoWriter(path: path, width: frames[0].width, height: frames[0].height, options: options)
        for frame in frames { try writer.write(frame) }
        try writer.finish()
        return writer
    }

    /// Writes every frame of `source` as it is read (the writer takes the audio the source demuxes meanwhile).
    private func write(_ source: VideoFileSource, to path: String, options: VideoWriterOptions) throws -> VideoWriter {
        let writer = try VideoWriter(path: path, width: source.info.width, height: source.info.height, options: options)
        while let frame = try source.nextFrame() { try writer.write(frame) }
        source.close()
        try writer.finish()
        return writer
    }

    /// Largest distance between a region's mean colour and `expected`.
    private func distance(_ frame: RGBFrame, x: Int, y: Int, _ expected: [Int]) -> Int {
        zip(frame.meanColor(x: x, y: y, width: 8, height: 8), expected).map { abs($0 - $1) }.max() ?? 255
    }

    func testMP4IsH264WithFaststartAndReadsBack() throws {
        let url = folder.path("out.mp4")
        let writer = try write(SyntheticFrame.clip(width: 64, height: 48, count: 10), to: url.path)
        XCTAssertEqual(writer.containerName, "mp4")
        XCTAssertEqual(writer.encoderName, "libx264")
        XCTAssertTrue(writer.warnings.isEmpty, "\(writer.warnings)")
        let probe = try MediaTool.probe(url, countFrames: true)
        XCTAssertEqual(probe.video?.codec_name, "h264")
        XCTAssertEqual(probe.video?.width, 64)
        XCTAssertEqual(probe.video?.height, 48)
        XCTAssertEqual(probe.video?.nb_read_frames, "10")
        XCTAssertEqual(probe.video?.avg_frame_rate, "10/1")
        let bytes = try Data(contentsOf: url)
        let moov = try XCTUnwrap(bytes.range(of: Data("moov".utf8))), mdat = try XCTUnwrap(bytes.range(of: Data("mdat".utf8)))
        XCTAssertLessThan(moov.lowerBound, mdat.lowerBound, "+faststart puts the index first")

        let frames = try VideoFileSource.readAll(url.path)
        XCTAssertEqual(frames.map(\.timestamp).map { ($0 * 10).rounded() }, (0..<10).map(Double.init))
        for frame in frames {
            XCTAssertLessThanOrEqual(distance(frame, x: 8, y: 8, [255, 0, 0]), 4)
            XCTAssertLessThanOrEqual(distance(frame, x: 48, y: 8, [0, 255, 0]), 4)
            XCTAssertLessThanOrEqual(distance(frame, x: 8, y: 32, [0, 0, 255]), 4)
            XCTAssertLessThanOrEqual(distance(frame, x: 48, y: 32, [255, 255, 255]), 4)
        }
    }

    func testExtensionChoosesContainerAndCodec() throws {
        let cases: [(String, String, String)] = [
            ("out.mkv", "matroska,webm", "h264"), ("out.webm", "matroska,webm", "vp9"), ("out.mov", "mov,mp4,m4a,3gp,3g2,mj2", "h264"),
            ("out.nut", "nut", "h264"), ("out.avi", "avi", "h264"), ("out.ts", "mpegts", "h264"),
        ]
        let frames = SyntheticFrame.clip(width: 64, height: 48, count: 5)
        for (name, container, codec) in cases {
            let url = folder.path(name)
            _ = try write(frames, to: url.path)
            let probe = try MediaTool.probe(url, countFrames: true)
            XCTAssertEqual(probe.format?.format_name, container, name)
            XCTAssertEqual(probe.video?.codec_name, codec, name)
            XCTAssertEqual(probe.video?.nb_read_frames, "5", name)
            XCTAssertEqual(try VideoFileSource.readAll(url.path).count, 5, name)
        }
    }

    func testVariableTimestampsSurvive() throws {
        let times = [0.0, 0.1, 0.25, 0.7, 0.8, 1.5]
        let base = SyntheticFrame.quadrants(width: 64, height: 48)
        let frames = times.enumerated().map { RGBFrame(width: 64, height: 48, pixels: base.pixels, timestamp: $0.element, index: $0.offset) }
        for name in ["vfr.mp4", "vfr.mkv"] {
            let url = folder.path(name)
            _ = try write(frames, to: url.path)
            let read = try VideoFileSource.readAll(url.path)
            XCTAssertEqual(read.count, times.count, name)
            for (frame, time) in zip(read, times) { XCTAssertEqual(frame.timestamp, time, accuracy: 0.0011, name) }
        }
    }

    func testOddSizeIsPaddedForH264AndKeptForVP9() throws {
        let frames = SyntheticFrame.clip(width: 641, height: 479, count: 3)
        let mp4 = folder.path("odd.mp4"), webm = folder.path("odd.webm")
        let writer = try write(frames, to: mp4.path)
        XCTAssertEqual(writer.warnings, ["\(mp4.path): 641x479 is odd; encoded as 642x480 (edge repeated) because libx264 needs even sizes"])
        let probe = try MediaTool.probe(mp4, countFrames: true)
        XCTAssertEqual(probe.video?.width, 642)
        XCTAssertEqual(probe.video?.height, 480)
        XCTAssertEqual(probe.video?.nb_read_frames, "3")
        let padded = try XCTUnwrap(try VideoFileSource.readAll(mp4.path).first)
        XCTAssertLessThanOrEqual(distance(padded, x: 634, y: 472, [255, 255, 255]), 4, "the repeated edge is the last column's colour")

        _ = try write(frames, to: webm.path)
        XCTAssertEqual(try MediaTool.probe(webm).video?.width, 641)
        XCTAssertEqual(try MediaTool.probe(webm).video?.height, 479)
        let kept = try XCTUnwrap(try VideoFileSource.readAll(webm.path).first)
        XCTAssertLessThanOrEqual(distance(kept, x: 633, y: 471, [255, 255, 255]), 6)
    }

    func testAudioIsCopiedUntouched() throws {
        let input = folder.path("with-audio.mp4")
        try MediaTool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                              "-t", "1", "-c:v", "libx264", "-c:a", "aac", "-b:a", "64k", input.path])
        for name in ["copied.mp4", "copied.mkv"] {
            let url = folder.path(name)
            let source = try VideoFileSource(path: input.path)
            let writer = try write(source, to: url.path, options: VideoWriterOptions(frameRate: 10, audio: source.audio))
            XCTAssertEqual(writer.audioStreamCount, 1, name)
            let probe = try MediaTool.probe(url, countFrames: true)
            XCTAssertEqual(probe.audio.first?.codec_name, "aac", name)
            XCTAssertEqual(probe.video?.nb_read_frames, "10", name)
            XCTAssertEqual(try audioPacketHashes(url), try audioPacketHashes(input), "\(name): audio packets are the input's, byte for byte")
        }
    }

    /// Size and MD5 of every audio packet's payload, via `ffmpeg -f framemd5 -c copy`.
    private func audioPacketHashes(_ url: URL) throws -> [String] {
        let result = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-i", url.path, "-map", "0:a", "-c", "copy", "-f", "framemd5", "-"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        // Fields: stream, dts, pts, duration, size, hash[, side data]; side data (priming) legitimately differs by container.
        return result.stdoutText.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return fields.count > 5 ? "\(fields[4]) \(fields[5])" : String(line)
        }
    }

    func testAudioTheContainerCannotCarryIsDroppedWithAWarning() throws {
        let input = folder.path("pcm.avi")
        try MediaTool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-f", "lavfi", "-i", "sine", "-t", "0.5",
                              "-c:v", "mjpeg", "-c:a", "pcm_s16le", input.path])
        let url = folder.path("out.mp4")
        let source = try VideoFileSource(path: input.path)
        let writer = try write(source, to: url.path, options: VideoWriterOptions(frameRate: 10, audio: source.audio))
        XCTAssertEqual(writer.audioStreamCount, 0)
        XCTAssertEqual(writer.warnings, ["\(url.path): audio stream 1 (pcm_s16le) cannot be copied into mp4; dropped"])
        XCTAssertTrue(try MediaTool.probe(url).audio.isEmpty)
    }

    func testUnknownExtensionAndAlphaInMP4AreRefused() {
        let xyz = folder.path("out.xyz").path, mp4 = folder.path("matte.mp4").path
        XCTAssertThrowsError(try VideoWriter(path: xyz, width: 8, height: 8)) { error in
            XCTAssertEqual("\(error)", "\(xyz): unknown output format \".xyz\" (use .mp4, .mkv, .webm, .mov, .nut, .avi, .ts, or a folder / %05d.png pattern for PNG frames)")
        }
        XCTAssertThrowsError(try VideoWriter(path: mp4, width: 8, height: 8, options: VideoWriterOptions(alpha: true))) { error in
            XCTAssertEqual("\(error)", "\(mp4): mp4 output cannot carry alpha; write .mov (ProRes 4444), .webm (VP9) or a PNG sequence (a folder or %05d.png)")
        }
    }

    func testMissingFolderIsAWriteError() {
        let path = folder.path("absent/out.mp4").path
        XCTAssertThrowsError(try VideoWriter(path: path, width: 8, height: 8)) { error in
            XCTAssertEqual("\(error)", "\(path): write failed (No such file or directory)")
        }
    }

    func testFinishIsIdempotentAndWritingAfterItFails() throws {
        let url = folder.path("once.mkv")
        let writer = try VideoWriter(path: url.path, width: 32, height: 32, options: VideoWriterOptions(frameRate: 10))
        try writer.write(SyntheticFrame.quadrants(width: 32, height: 32))
        try writer.finish()
        try writer.finish()
        XCTAssertThrowsError(try writer.write(SyntheticFrame.quadrants(width: 32, height: 32, timestamp: 0.1)))
        XCTAssertEqual(try MediaTool.decodedFrameCount(url), 1)
    }

    func testFramesOfAnotherSizeAreScaled() throws {
        let url = folder.path("scaled.mkv")
        let writer = try VideoWriter(path: url.path, width: 64, height: 48, options: VideoWriterOptions(frameRate: 10))
        try writer.write(SyntheticFrame.quadrants(width: 64, height: 48))
        try writer.write(SyntheticFrame.quadrants(width: 128, height: 96, timestamp: 0.1, index: 1))
        try writer.finish()
        XCTAssertEqual(writer.warnings, ["\(url.path): frames of 128x96 scaled to 64x48"])
        let frames = try VideoFileSource.readAll(url.path)
        XCTAssertEqual(frames.map(\.width), [64, 64])
        XCTAssertLessThanOrEqual(distance(frames[1], x: 8, y: 8, [255, 0, 0]), 4)
    }
}
