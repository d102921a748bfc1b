import Foundation
import MediaIO
import TestSupport
import XCTest

/// `VideoFileSource` over clips the ffmpeg CLI makes: containers and codecs, sizes, bit depths,
/// chroma layouts, pixel values, frame counts and timestamps.
final class VideoFileSourceTests: XCTestCase {
    private var folder: TemporaryDirectory!

    override func setUpWithError() throws { folder = try TemporaryDirectory(prefix: "clipseg-video") }
    override func tearDown() { folder.remove() }

    /// A 1 s, 10 fps, 64×48 testsrc2 clip in `name` with `codec`, checked frame by frame against ffmpeg's own decode.
    private func checkPattern(_ name: String, codec: [String], expectedCodec: String, tolerance: Double = 0.5) throws {
        let url = folder.path(name)
        try MediaTool.makeClip(url, source: "testsrc2=size=64x48:rate=10", duration: 1, codecArguments: codec)
        let source = try VideoFileSource(url: url)
        XCTAssertEqual(source.codecName, expectedCodec, name)
        XCTAssertEqual(source.info.width, 64, name)
        XCTAssertEqual(source.info.height, 48, name)
        XCTAssertEqual(source.info.frameRate ?? 0, 10, accuracy: 0.01, name)
        XCTAssertEqual(source.info.duration ?? 0, 1, accuracy: 0.11, name)
        XCTAssertFalse(source.info.isLive, name)
        let frames = try source.readAll()
        XCTAssertEqual(frames.count, 10, name)
        XCTAssertEqual(frames.map(\.index), Array(0..<10), name)
        for (i, frame) in frames.enumerated() {
            XCTAssertEqual(frame.timestamp, Double(i) / 10, accuracy: 0.002, "\(name) frame \(i)")
        }
        let reference = try MediaTool.referenceFrames(url, width: 64, height: 48)
        XCTAssertEqual(reference.count, frames.count, name)
        for (ours, theirs) in zip(frames, reference) {
            XCTAssertLessThan(MediaTool.meanAbsoluteDifference(ours.pixels, theirs), tolerance, "\(name) frame \(ours.index)")
        }
        // Consecutive testsrc2 frames differ (the pattern moves), so frames are not repeats.
        XCTAssertNotEqual(frames[0].pixels, frames[5].pixels, name)
        XCTAssertTrue(source.warnings.isEmpty, "\(name): \(source.warnings)")
    }

    func testH264MP4() throws {
        try checkPattern("clip.mp4", codec: ["-c:v", "libx264", "-pix_fmt", "yuv420p"], expectedCodec: "h264")
    }

    func testVP9WebM() throws {
        try checkPattern("clip.webm", codec: ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"], expectedCodec: "vp9")
    }

    func testMJPEGAVI() throws {
        try checkPattern("clip.avi", codec: ["-c:v", "mjpeg", "-q:v", "3"], expectedCodec: "mjpeg")
    }

    func testFFV1MKVIsLossless() throws {
        let url = folder.path("clip.mkv")
        try MediaTool.makeClip(url, source: "testsrc2=size=64x48:rate=10", duration: 1,
                               codecArguments: ["-c:v", "ffv1", "-pix_fmt", "bgr0"])
        let frames = try VideoFileSource(url: url).readAll()
        let reference = try MediaTool.referenceFrames(url, width: 64, height: 48)
        XCTAssertEqual(frames.count, 10)
        XCTAssertEqual(frames.map(\.pixels), reference, "an RGB FFV1 stream decodes bit-exactly")
    }

    func testSolidRedReadsBackRedInEveryCodec() throws {
        let cases: [(String, [String])] = [
            ("red.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p"]),
            ("red10.mkv", ["-c:v", "libx264", "-pix_fmt", "yuv420p10le"]),
            ("red444.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv444p"]),
            ("red444.mkv", ["-c:v", "ffv1", "-pix_fmt", "yuv444p10le"]),
            ("red.webm", ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"]),
            ("red.avi", ["-c:v", "mjpeg", "-q:v", "2"]),
        ]
        for (name, codec) in cases {
            let url = folder.path(name)
            try MediaTool.makeClip(url, source: "color=c=red:size=48x32:rate=10", duration: 0.5, codecArguments: codec)
            let frames = try VideoFileSource(url: url).readAll()
            XCTAssertEqual(frames.count, 5, name)
            for frame in frames {
                XCTAssertLessThanOrEqual(frame.maxDistance(to: [255, 0, 0]), 8, "\(name) frame \(frame.index): \(frame.pixel(24, 16))")
            }
        }
    }

    func testTenBitAndFourFourFourMatchFFmpeg() throws {
        let cases: [(String, [String], String)] = [
            ("p10.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p10le"], "h264"),
            ("p444.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv444p"], "h264"),
            ("p444-10.mkv", ["-c:v", "ffv1", "-pix_fmt", "yuv444p10le"], "ffv1"),
        ]
        for (name, codec, codecName) in cases {
            try checkPattern(name, codec: codec, expectedCodec: codecName)
        }
    }

    func testOddSizeKeepsEveryColumnAndRow() throws {
        let url = folder.path("odd.mkv")
        try MediaTool.makeClip(url, source: MediaTool.quadrants(width: 642, height: 480, rate: 10) + ",crop=641:479:0:0",
                               duration: 0.3, codecArguments: ["-c:v", "ffv1", "-pix_fmt", "bgr0"])
        let source = try VideoFileSource(url: url)
        XCTAssertEqual(source.info.width, 641)
        XCTAssertEqual(source.info.height, 479)
        let frames = try source.readAll()
        XCTAssertEqual(frames.count, 3)
        let frame = try XCTUnwrap(frames.first)
        XCTAssertEqual(frame.width, 641)
        XCTAssertEqual(frame.height, 479)
        XCTAssertEqual(frame.pixels.count, 641 * 479 * 3)
        XCTAssertEqual(frame.pixel(0, 0), [255, 0, 0])
        XCTAssertEqual(frame.pixel(640, 0), [0, 255, 0])
        XCTAssertEqual(frame.pixel(0, 478), [0, 0, 255])
        XCTAssertEqual(frame.pixel(640, 478), [255, 255, 255])
        XCTAssertEqual(frames.map(\.pixels), try MediaTool.referenceFrames(url, width: 641, height: 479))
    }

    func testOddSizeVP9MatchesFFmpeg() throws {
        let url = folder.path("odd.webm")
        try MediaTool.makeClip(url, source: "testsrc2=size=642x480:rate=10,format=rgb24,crop=641:479:0:0", duration: 0.2,
                               codecArguments: ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"])
        XCTAssertEqual(try MediaTool.probe(url).video?.width, 641)
        let frames = try VideoFileSource(url: url).readAll()
        XCTAssertEqual(frames.first?.width, 641)
        XCTAssertEqual(frames.first?.height, 479)
        let reference = try MediaTool.referenceFrames(url, width: 641, height: 479)
        XCTAssertEqual(frames.count, 2)
        XCTAssertEqual(frames.count, reference.count)
        for (ours, theirs) in zip(frames, reference) {
            XCTAssertLessThan(MediaTool.meanAbsoluteDifference(ours.pixels, theirs), 0.5)
        }
    }

    func testFileWithAudioTrackReadsItsVideo() throws {
        let url = folder.path("with-audio.mp4")
        try MediaTool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                              "-t", "1", "-c:v", "libx264", "-c:a", "aac", url.path])
        XCTAssertEqual(try MediaTool.probe(url).audio.count, 1)
        let frames = try VideoFileSource(url: url).readAll()
        XCTAssertEqual(frames.count, 10)
        XCTAssertEqual(frames.last?.timestamp ?? 0, 0.9, accuracy: 0.002)
    }
}
