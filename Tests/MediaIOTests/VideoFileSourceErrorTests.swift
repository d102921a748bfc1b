import Foundation
import MediaIO
import TestSupport
import VideoFrames
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Bad and damaged inputs: each refusal is one `MediaError` line naming the file; damage that can
/// be read around ends with warnings instead.
final class VideoFileSourceErrorTests: XCTestCase {
    private var folder: TemporaryDirectory!

    override func setUpWithError() throws { folder = try TemporaryDirectory(prefix: "clipseg-bad") }
    override func tearDown() { folder.remove() }

    private func openingError(_ path: String, file: StaticString = #filePath, line: UInt = #line) -> MediaError? {
        do {
            let source = try VideoFileSource(path: path)
            while try source.nextFrame() != nil {}
            XCTFail("\(path) opened and read to the end", file: file, line: line)
            return nil
        } catch let error as MediaError {
            XCTAssertFalse(error.description.contains("\n"), file: file, line: line)
            return error
        } catch {
            XCTFail("not a MediaError: \(error)", file: file, line: line)
            return nil
        }
    }

    /// Seeded pseudo-random bytes, so the "noise" is the same on every run.
    private func noise(count: Int) -> Data {
        var generator = SplitMix64(seed: 3)
        return Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    func testMissingFile() {
        let path = folder.path("input.mp4").path
        XCTAssertEqual(openingError(path)?.description, "\(path): no such file")
    }

    func testFolder() {
        XCTAssertEqual(openingError(folder.url.path)?.description, "\(folder.url.path): cannot read (it is a folder)")
    }

    func testUnreadableFile() throws {
        let childMark = "CLIPSEG_UNPRIVILEGED_CHILD"
        if geteuid() == 0 {
            // Root reads files whatever their mode: this test runs again, as nobody, in a child test process.
            guard ProcessInfo.processInfo.environment[childMark] == nil else { return XCTFail("still root in the child") }
            let name = "MediaIOTests.VideoFileSourceErrorTests/testUnreadableFile"
            let (executable, arguments) = try UnprivilegedRun.command(try TestPaths.testBundleExecutable(), [name])
            let result = try ChildProcess.run(executable, arguments, environment: [childMark: "1"], timeout: 300)
            let output = result.stdoutText + result.stderrText
            XCTAssertEqual(result.status, 0, output)
            XCTAssertTrue(output.contains("Executed 1 test, with 0 failures"), "the child ran it, unskipped:\n\(output)")
            return
        }
        let url = folder.path("locked.mp4")
        try MediaTool.makeClip(url, source: "testsrc2=size=64x48:rate=10", duration: 0.2, codecArguments: ["-c:v", "libx264"])
        chmod(url.path, 0)
        XCTAssertEqual(openingError(url.path)?.description, "\(url.path): cannot read (Permission denied)")
    }

    func testRandomBytesWithAVideoExtension() throws {
        let url = folder.path("noise.mp4")
        try noise(count: 64 * 1024).write(to: url)
        XCTAssertEqual(openingError(url.path)?.description,
                       "\(url.path): not a media file FFmpeg can read (Invalid data found when processing input)")
    }

    func testTextFileWithAVideoExtension() throws {
        let url = folder.path("notes.mp4")
        try Data("Shopping list:\n- eggs\n- milk\n".utf8).write(to: url)
        XCTAssertEqual(openingError(url.path)?.description,
                       "\(url.path): not a media file FFmpeg can read (Invalid data found when processing input)")
    }

    func testEmptyFile() throws {
        let url = folder.path("empty.mkv")
        try Data().write(to: url)
        XCTAssertEqual(openingError(url.path)?.description,
                       "\(url.path): not a media file FFmpeg can read (Invalid data found when processing input)")
    }

    /// Found by Tests/Fuzz (fuzz-media): FFmpeg opens a JPEG cut after its start-of-image marker as
    /// an mjpeg stream of unknown size; the source used to open it with a 0×0 `info`.
    func testJPEGCutAfterItsFirstMarkerHasNoPictureSize() throws {
        let url = folder.path("cut.jpg")
        try Data([0xFF, 0xD8]).write(to: url)
        XCTAssertEqual(openingError(url.path)?.description, "\(url.path): cannot decode (the video stream has no picture size)")
        XCTAssertThrowsError(try StillImage.load(url: url)) { error in
            XCTAssertEqual((error as? MediaError)?.description.hasPrefix("\(url.path): cannot decode ("), true, "\(error)")
        }
    }

    func testAudioOnlyFile() throws {
        let url = folder.path("tone.m4a")
        try MediaTool.makeClip(url, source: "sine=frequency=440", duration: 0.5, codecArguments: ["-c:a", "aac"])
        XCTAssertEqual(openingError(url.path), .noVideoStream(url.path))
        XCTAssertEqual(openingError(url.path)?.description, "\(url.path): no video stream")
    }

    func testCodecWithoutDecoder() throws {
        // A Matroska file whose codec ID is patched to one FFmpeg does not know.
        let plain = folder.path("plain.mkv"), url = folder.path("x.mkv")
        try MediaTool.makeClip(plain, source: "testsrc2=size=64x48:rate=10", duration: 0.2, codecArguments: ["-c:v", "libx264"])
        var bytes = try Data(contentsOf: plain)
        let known = Data("V_MPEG4/ISO/AVC".utf8), unknown = Data("V_MPEG4/ISO/XYZ".utf8)
        let range = try XCTUnwrap(bytes.range(of: known))
        bytes.replaceSubrange(range, with: unknown)
        try bytes.write(to: url)
        XCTAssertEqual(openingError(url.path)?.description, "\(url.path): no decoder for codec unknown")
        XCTAssertEqual(openingError(url.path), .noDecoder(url.path, codec: "unknown"))
    }

    func testTruncatedMP4EndsAfterItsLastDecodableFrameWithAWarning() throws {
        let url = folder.path("whole.mp4"), cut = folder.path("cut.mp4")
        try MediaTool.makeClip(url, source: "testsrc2=size=128x96:rate=10", duration: 3,
                               codecArguments: ["-c:v", "libx264", "-g", "10", "-movflags", "+faststart"])
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count * 6 / 10).write(to: cut)
        let source = try VideoFileSource(url: cut)
        XCTAssertEqual(source.info.frameCount, 30, "the index at the front still lists every frame")
        var frames: [RGBFrame] = []
        while let frame = try source.nextFrame() { frames.append(frame) }
        XCTAssertGreaterThan(frames.count, 10)
        XCTAssertLessThan(frames.count, 30)
        XCTAssertTrue(source.warnings.contains { $0.hasPrefix("\(cut.path): input ends early") }, "\(source.warnings)")
        // The frames before the damage are the true ones.
        let reference = try MediaTool.referenceFrames(url, width: 128, height: 96)
        XCTAssertLessThan(MediaTool.meanAbsoluteDifference(frames[0].pixels, reference[0]), 0.5)
        source.close()
        XCTAssertFalse(source.warnings.isEmpty, "warnings survive close()")
    }

    func testTruncatedMatroskaEndsWithAWarning() throws {
        let url = folder.path("whole.mkv"), cut = folder.path("cut.mkv")
        try MediaTool.makeClip(url, source: "testsrc2=size=128x96:rate=10", duration: 3, codecArguments: ["-c:v", "libx264", "-g", "10"])
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count * 6 / 10).write(to: cut)
        let source = try VideoFileSource(url: cut)
        var frames = 0
        while try source.nextFrame() != nil { frames += 1 }
        XCTAssertGreaterThan(frames, 10)
        XCTAssertLessThan(frames, 30)
        XCTAssertEqual(source.warnings, ["\(cut.path): matroska,webm: File ended prematurely"])
    }

    func testCorruptPacketsAreSkippedWithWarnings() throws {
        let url = folder.path("clean.ts"), damaged = folder.path("damaged.ts")
        try MediaTool.makeClip(url, source: "testsrc2=size=128x96:rate=10", duration: 3, codecArguments: ["-c:v", "libx264", "-g", "10"])
        var bytes = [UInt8](try Data(contentsOf: url))
        // Overwrite payload bytes in the middle third, leaving the 188-byte packet headers intact.
        for packet in stride(from: bytes.count / 3 / 188 * 188, to: bytes.count * 2 / 3, by: 188 * 3) {
            for i in (packet + 20)..<min(packet + 188, bytes.count) { bytes[i] = UInt8(truncatingIfNeeded: i * 7) }
        }
        try Data(bytes).write(to: damaged)
        let source = try VideoFileSource(url: damaged)
        var frames = 0
        while try source.nextFrame() != nil { frames += 1 }
        XCTAssertGreaterThan(frames, 20, "damaged frames are concealed or skipped, the rest decode")
        XCTAssertTrue(source.warnings.contains { $0.hasPrefix("\(damaged.path): h264: ") }, "\(source.warnings)")
        XCTAssertTrue(source.warnings.allSatisfy { $0.hasPrefix("\(damaged.path): ") && !$0.contains("\n") })
    }
}
