import Foundation
@testable import MediaIO
import TestSupport
import VideoFrames
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `VideoFileSource` on what changes along a stream or comes from elsewhere: variable frame rates,
/// display rotation, a size change mid-stream, standard input, and which inputs count as live.
final class VideoFileSourceStreamTests: XCTestCase {
    private var folder: TemporaryDirectory!

    override func setUpWithError() throws { folder = try TemporaryDirectory(prefix: "clipseg-stream") }
    override func tearDown() { folder.remove() }

    func testVariableFrameRateTimestampsAreKept() throws {
        let url = folder.path("vfr.mkv")
        // Five frames 0.1 s apart, then five 0.3 s apart (the source's time base is 1/10 s).
        try MediaTool.ffmpeg(["-t", "1", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10",
                              "-vf", "setpts='if(lt(N,5),N,5+(N-5)*3)'", "-fps_mode", "passthrough",
                              "-c:v", "libx264", url.path])
        let frames = try VideoFileSource(url: url).readAll()
        let expected = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.8, 1.1, 1.4, 1.7]
        XCTAssertEqual(frames.count, expected.count)
        for (frame, time) in zip(frames, expected) {
            XCTAssertEqual(frame.timestamp, time, accuracy: 0.0011, "frame \(frame.index)")
        }
    }

    /// A 64×48 quadrant clip stream-copied with a `rotate` tag, read back against ffmpeg's autorotated decode.
    private func rotatedClip(_ degrees: Int) throws -> (frames: [RGBFrame], source: VideoFileSource, url: URL) {
        let plain = folder.path("plain.mp4")
        if !FileManager.default.fileExists(atPath: plain.path) {
            try MediaTool.ffmpeg(["-f", "lavfi", "-i", MediaTool.quadrants(width: 64, height: 48, rate: 10), "-t", "0.5",
                                  "-c:v", "libx264", "-pix_fmt", "yuv444p", plain.path])
        }
        let url = folder.path("rotated\(degrees).mp4")
        try MediaTool.ffmpeg(["-i", plain.path, "-c", "copy", "-metadata:s:v", "rotate=\(degrees)", url.path])
        let source = try VideoFileSource(url: url)
        return (try source.readAll(), source, url)
    }

    func testRotationMetadataTurnsFramesLikeFFmpeg() throws {
        for degrees in [90, 180, 270] {
            let (frames, source, url) = try rotatedClip(degrees)
            let (width, height) = degrees == 180 ? (64, 48) : (48, 64)
            XCTAssertEqual(source.info.width, width, "rotate=\(degrees)")
            XCTAssertEqual(source.info.height, height, "rotate=\(degrees)")
            XCTAssertEqual(frames.count, 5, "rotate=\(degrees)")
            XCTAssertEqual(frames.first?.width, width)
            let reference = try MediaTool.referenceFrames(url, width: width, height: height)
            XCTAssertEqual(reference.count, frames.count)
            for (ours, theirs) in zip(frames, reference) {
                XCTAssertLessThan(MediaTool.meanAbsoluteDifference(ours.pixels, theirs), 0.5, "rotate=\(degrees)")
            }
        }
    }

    func testRotateTagNinetyIsShownTurnedCounterClockwise() throws {
        // FFmpeg 5.1 stores `rotate=90` as a display matrix that ffmpeg and players show turned a quarter
        // counter-clockwise: the red top-left quadrant ends bottom-left, lime top-right ends top-left.
        let (frames, source, _) = try rotatedClip(90)
        XCTAssertEqual(source.rotation, .counterClockwise90)
        let frame = try XCTUnwrap(frames.first)
        XCTAssertLessThanOrEqual(zip(frame.meanColor(x: 4, y: 4, width: 16, height: 24), [0, 255, 0]).map { abs($0 - $1) }.max()!, 3)
        XCTAssertLessThanOrEqual(zip(frame.meanColor(x: 4, y: 36, width: 16, height: 24), [255, 0, 0]).map { abs($0 - $1) }.max()!, 3)
        XCTAssertLessThanOrEqual(zip(frame.meanColor(x: 28, y: 36, width: 16, height: 24), [0, 0, 255]).map { abs($0 - $1) }.max()!, 3)
        XCTAssertLessThanOrEqual(zip(frame.meanColor(x: 28, y: 4, width: 16, height: 24), [255, 255, 255]).map { abs($0 - $1) }.max()!, 3)
    }

    func testSizeChangeMidStreamIsFollowed() throws {
        let small = folder.path("small.ts"), large = folder.path("large.ts"), joined = folder.path("joined.ts")
        try MediaTool.makeClip(small, source: "testsrc2=size=64x48:rate=10", duration: 0.5, codecArguments: ["-c:v", "libx264"])
        try MediaTool.makeClip(large, source: "testsrc2=size=96x64:rate=10", duration: 0.5, codecArguments: ["-c:v", "libx264"])
        try (Data(contentsOf: small) + Data(contentsOf: large)).write(to: joined)
        let frames = try VideoFileSource(url: joined).readAll()
        XCTAssertEqual(frames.count, 10)
        XCTAssertEqual(frames.prefix(5).map(\.width), [64, 64, 64, 64, 64])
        XCTAssertEqual(frames.suffix(5).map(\.width), [96, 96, 96, 96, 96])
        XCTAssertEqual(frames.suffix(5).map(\.height), [64, 64, 64, 64, 64])
        XCTAssertEqual(frames.map(\.index), Array(0..<10))
    }

    func testStandardInputIsReadWhenPathIsDash() throws {
        let url = folder.path("piped.nut")
        try MediaTool.makeClip(url, source: "testsrc2=size=64x48:rate=10", duration: 1, codecArguments: ["-c:v", "libx264"])
        let file = open(url.path, O_RDONLY)
        XCTAssertGreaterThanOrEqual(file, 0)
        let savedInput = dup(STDIN_FILENO)
        dup2(file, STDIN_FILENO)
        close(file)
        defer { dup2(savedInput, STDIN_FILENO); close(savedInput) }

        let source = try VideoFileSource(path: "-")
        XCTAssertEqual(source.info.name, "-")
        XCTAssertEqual(source.info.width, 64)
        XCTAssertFalse(source.info.isLive)
        let frames = try source.readAll()
        XCTAssertEqual(frames.count, 10)
        XCTAssertEqual(frames.last?.timestamp ?? 0, 0.9, accuracy: 0.002)
    }

    func testDecodingUsesFrameThreads() throws {
        let url = folder.path("threads.mp4")
        try MediaTool.makeClip(url, source: "testsrc2=size=64x48:rate=10", duration: 0.3, codecArguments: ["-c:v", "libx264"])
        let source = try VideoFileSource(url: url)
        defer { source.close() }
        XCTAssertTrue(source.decoderThreading.frameThreads)
        XCTAssertGreaterThan(source.decoderThreading.threads, 1)
    }

    func testInterruptEndsAStalledLiveStreamPromptly() throws {
        // A NUT stream over TCP: the first half arrives, then the server goes silent without closing.
        let clip = folder.path("live.nut")
        try MediaTool.makeClip(clip, source: "testsrc2=size=64x48:rate=10", duration: 4,
                               codecArguments: ["-c:v", "libx264", "-g", "5", "-bf", "0"])
        let bytes = [UInt8](try Data(contentsOf: clip))
        let server = try LoopbackStreamServer(sending: Array(bytes.prefix(bytes.count / 2)))
        defer { server.stop() }

        // The packets read while probing are kept (network inputs drop them by default: `fflags nobuffer`).
        let source = try VideoFileSource(path: server.url, options: InputOpenOptions(formatOptions: [("fflags", "autobsf")]))
        XCTAssertTrue(source.info.isLive)
        let done = DispatchSemaphore(value: 0)
        let outcome = LockedFrames()
        Thread.detachNewThread {
            do {
                while let frame = try source.nextFrame() { outcome.append(frame) }
            } catch {
                outcome.fail(error)
            }
            done.signal()
        }
        // Once the reader has frames from the data sent, it can only go on by waiting for more.
        for _ in 0..<1000 where outcome.count < 10 { usleep(10_000) }
        XCTAssertGreaterThanOrEqual(outcome.count, 10)
        XCTAssertEqual(done.wait(timeout: .now()), .timedOut, "the reader waits on the stalled stream")
        source.interrupt()
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success, "interrupt() ends the blocked read (the stall itself lasts 10 s)")
        XCTAssertNil(outcome.error)
        XCTAssertLessThan(outcome.count, 40)
        source.close()
    }

    func testNetworkProtocolsAreLiveAndFilesAreNot() {
        XCTAssertTrue(InputLocation("rtsp://camera.local/stream").isLive(durationKnown: false))
        XCTAssertTrue(InputLocation("udp://239.0.0.1:1234").isLive(durationKnown: false))
        XCTAssertTrue(InputLocation("srt://host:9000").isLive(durationKnown: true))
        XCTAssertTrue(InputLocation("http://host/live.ts").isLive(durationKnown: false))
        XCTAssertFalse(InputLocation("https://host/movie.mp4").isLive(durationKnown: true))
        XCTAssertFalse(InputLocation("movie.mp4").isLive(durationKnown: false))
        XCTAssertFalse(InputLocation("-").isLive(durationKnown: false))
        XCTAssertEqual(InputLocation("take:1.mp4").kind, .file)
        XCTAssertEqual(InputLocation("take:1.mp4").ffmpegURL, "file:take:1.mp4")
        XCTAssertEqual(InputLocation("-").ffmpegURL, "pipe:0")
    }
}

/// Frames collected on a reader thread.
private final class LockedFrames: @unchecked Sendable {
    private let lock = NSLock()
    private var frames = 0
    private var failure: Error?

    func append(_ frame: RGBFrame) { lock.lock(); frames += 1; lock.unlock() }
    func fail(_ error: Error) { lock.lock(); failure = error; lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return frames }
    var error: Error? { lock.lock(); defer { lock.unlock() }; return failure }
}
