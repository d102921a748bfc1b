import Foundation
import MediaIO
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `VideoWriter` for recording and piping: fragmented files that survive a kill, standard output,
/// and a reader that goes away (EPIPE).
final class VideoWriterStreamingTests: XCTestCase {
    private var folder: TemporaryDirectory!

    override func setUpWithError() throws { folder = try TemporaryDirectory(prefix: "clipseg-stream-out") }
    override func tearDown() { folder.remove() }

    /// Writes 40 frames (4 s at 10 fps) and copies the file as it stands after frame 30, before
    /// `finish()` — what a killed process would leave behind.
    private func snapshotMidRecording(_ url: URL, fragmented: Bool) throws -> URL {
        let writer = try VideoWriter(url: url, width: 64, height: 48, options: VideoWriterOptions(frameRate: 10, fragmented: fragmented))
        let snapshot = folder.path("killed-" + url.lastPathComponent)
        for frame in SyntheticFrame.clip(width: 64, height: 48, count: 40) {
            try writer.write(frame)
            if frame.index == 30 { try FileManager.default.copyItem(at: url, to: snapshot) }
        }
        try writer.finish()
        XCTAssertEqual(try MediaTool.decodedFrameCount(url), 40)
        return snapshot
    }

    func testFragmentedMP4LeftByAKilledProcessPlays() throws {
        let url = folder.path("rec.mp4")
        let snapshot = try snapshotMidRecording(url, fragmented: true)
        let frames = try MediaTool.decodedFrameCount(snapshot)
        XCTAssertGreaterThanOrEqual(frames, 10, "at least the first one-second fragment")
        XCTAssertLessThanOrEqual(frames, 31)
        XCTAssertTrue(try Data(contentsOf: url).range(of: Data("moof".utf8)) != nil)
    }

    func testPlainMP4LeftByAKilledProcessDoesNotPlay() throws {
        // The contrast that makes the fragmented option worth having.
        let snapshot = try snapshotMidRecording(folder.path("plain.mp4"), fragmented: false)
        XCTAssertThrowsError(try MediaTool.decodedFrameCount(snapshot))
    }

    func testFragmentedMatroskaLeftByAKilledProcessPlays() throws {
        let snapshot = try snapshotMidRecording(folder.path("rec.mkv"), fragmented: true)
        XCTAssertGreaterThanOrEqual(try MediaTool.decodedFrameCount(snapshot), 10)
    }

    func testFragmentedMP4TruncatedMidwayStillDecodes() throws {
        let url = folder.path("whole.mp4"), cut = folder.path("cut.mp4")
        let writer = try VideoWriter(url: url, width: 64, height: 48, options: VideoWriterOptions(frameRate: 10, fragmented: true))
        for frame in SyntheticFrame.clip(width: 64, height: 48, count: 40) { try writer.write(frame) }
        try writer.finish()
        // Cut inside the media data of a later fragment (FFmpeg 5.1's demuxer, like ours, cannot read a
        // file cut inside a fragment's header box, whoever wrote it).
        let bytes = try Data(contentsOf: url)
        var mdatStarts: [Int] = []
        var searchFrom = bytes.startIndex
        while let found = bytes.range(of: Data("mdat".utf8), in: searchFrom..<bytes.endIndex) {
            mdatStarts.append(found.lowerBound)
            searchFrom = found.upperBound
        }
        XCTAssertGreaterThanOrEqual(mdatStarts.count, 3, "one fragment per second")
        try bytes.prefix(mdatStarts[2] + 200).write(to: cut)
        let frames = try MediaTool.decodedFrameCount(cut)
        XCTAssertGreaterThanOrEqual(frames, 20)
        XCTAssertLessThan(frames, 40)
    }

    /// Writes `count` frames to `-` with standard output redirected into a file; returns that file.
    private func writeToStandardOutput(count: Int, options: VideoWriterOptions) throws -> (URL, VideoWriter) {
        let url = folder.path("stdout.bin")
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(descriptor) }
        let writer: VideoWriter = try withStandardOutput(redirectedTo: descriptor) {
            let writer = try VideoWriter(path: "-", width: 64, height: 48, options: options)
            for frame in SyntheticFrame.clip(width: 64, height: 48, count: count) { try writer.write(frame) }
            try writer.finish()
            return writer
        }
        return (url, writer)
    }

    func testStandardOutputIsMatroskaByDefault() throws {
        let (url, writer) = try writeToStandardOutput(count: 12, options: VideoWriterOptions(frameRate: 10))
        XCTAssertEqual(writer.name, "standard output")
        XCTAssertEqual(writer.containerName, "matroska")
        let probe = try MediaTool.probe(url, countFrames: true)
        XCTAssertEqual(probe.format?.format_name, "matroska,webm")
        XCTAssertEqual(probe.video?.nb_read_frames, "12")
    }

    func testStandardOutputAsNUTAndAsFragmentedMP4() throws {
        for (container, probeName) in [("nut", "nut"), ("mp4", "mov,mp4,m4a,3gp,3g2,mj2")] {
            let (url, _) = try writeToStandardOutput(count: 12, options: VideoWriterOptions(frameRate: 10, container: container))
            let probe = try MediaTool.probe(url, countFrames: true)
            XCTAssertEqual(probe.format?.format_name, probeName)
            XCTAssertEqual(probe.video?.nb_read_frames, "12", container)
        }
    }

    func testClosedReaderOnStandardOutputIsOutputClosed() throws {
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        close(ends[0])  // nobody will ever read
        defer { close(ends[1]) }
        var caught: MediaError?
        withStandardOutput(redirectedTo: ends[1]) {
            do {
                let writer = try VideoWriter(path: "-", width: 64, height: 48, options: VideoWriterOptions(frameRate: 10))
                defer { XCTAssertNoThrow(try writer.finish(), "finish after a failure only frees") }
                for frame in SyntheticFrame.clip(width: 64, height: 48, count: 30) { try writer.write(frame) }
                try writer.finish()
            } catch {
                caught = error as? MediaError
            }
        }
        XCTAssertEqual(caught, .outputClosed("standard output"))
        XCTAssertEqual(caught?.description, "standard output: closed by the reader")
    }
}
