import FileSafety
import TestSupport
import XCTest

/// Picture-sequence names as FFmpeg's image2 muxer fills them, and the stale frames of a folder.
final class FrameNamePatternTests: XCTestCase {
    func testNamesAndMatches() throws {
        let padded = try FrameNamePattern(name: "mask_%05d.png")
        XCTAssertEqual(padded.name(of: 7), "mask_00007.png")
        XCTAssertEqual(padded.name(of: 1_234_567), "mask_1234567.png")
        XCTAssertTrue(padded.matches("mask_00007.png"))
        XCTAssertTrue(padded.matches("mask_1234567.png"))
        XCTAssertFalse(padded.matches("mask_7.png"), "fewer digits than the width are never written")
        XCTAssertFalse(padded.matches("mask_0000a.png"))
        XCTAssertFalse(padded.matches("mask_.png"))
        XCTAssertFalse(padded.matches("other_00007.png"))

        let plain = try FrameNamePattern(name: "%d.png")
        XCTAssertEqual(plain.name(of: 12), "12.png")
        XCTAssertTrue(plain.matches("00012.png"))
        let percent = try FrameNamePattern(name: "100%%_%3d.png")
        XCTAssertEqual(percent.name(of: 4), "100%_004.png")
        XCTAssertEqual(FrameNamePattern.fiveDigitPNG.name(of: 3), "00003.png")
    }

    func testPatternsFFmpegCannotFillAreRefused() {
        XCTAssertThrowsError(try FrameNamePattern(name: "pat_%s.png")) { error in
            XCTAssertEqual(error as? FrameNamePattern.Problem, .unsupportedConversion("%s"))
        }
        XCTAssertThrowsError(try FrameNamePattern(name: "a%")) { error in
            XCTAssertEqual(error as? FrameNamePattern.Problem, .unsupportedConversion("%"))
        }
        XCTAssertThrowsError(try FrameNamePattern(name: "%d_%d.png")) { error in
            XCTAssertEqual(error as? FrameNamePattern.Problem, .numberCount(2))
        }
        XCTAssertThrowsError(try FrameNamePattern(name: "plain.png")) { error in
            XCTAssertEqual(error as? FrameNamePattern.Problem, .numberCount(0))
        }
        XCTAssertThrowsError(try FrameNamePattern(name: "a/%d.png")) { error in
            XCTAssertEqual(error as? FrameNamePattern.Problem, .folderInPattern)
        }
    }

    func testOverlapsAndExistingFrames() throws {
        let five = try FrameNamePattern(name: "%05d.png")
        XCTAssertTrue(five.overlaps(try FrameNamePattern(name: "%d.png")))
        XCTAssertTrue(five.overlaps(FrameNamePattern.fiveDigitPNG))
        XCTAssertFalse(five.overlaps(try FrameNamePattern(name: "mask_%05d.png")))

        let folder = try TemporaryDirectory(prefix: "clipseg-frames")
        defer { folder.remove() }
        for name in ["00000.png", "00001.png", "notes.txt", "0001.png"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: folder.path(name).path, contents: Data([1])))
        }
        try FileManager.default.createDirectory(at: folder.path("00002.png"), withIntermediateDirectories: false)
        XCTAssertEqual(five.existingFrames(in: folder.url.path), ["00000.png", "00001.png"],
                       "only regular files the pattern writes")
        XCTAssertEqual(five.existingFrames(in: folder.path("missing").path), [])
    }
}
