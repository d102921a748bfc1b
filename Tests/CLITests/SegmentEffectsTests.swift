import Foundation
import TestSupport
import XCTest

/// Effects per prompt end to end with the trained sample model on the sample video: the PNG frames of one run
/// against its own mask stream and the source frames (decoded by the ffmpeg tool): filled regions are exactly
/// the colour, redacted regions (grown by the margin) exactly black and cover the fill, the rest is the frame.
final class SegmentEffectsTests: XCTestCase {
    private let model = TestPaths.samples.appendingPathComponent("models/shapes")

    private func rgbFrames(_ path: String, count: Int, width: Int, height: Int) throws -> [[UInt8]] {
        let result = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-i", path, "-frames:v", "\(count)",
                                                         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let size = width * height * 3, bytes = [UInt8](result.stdout)
        return stride(from: 0, to: bytes.count - size + 1, by: size).map { Array(bytes[$0..<($0 + size)]) }
    }

    func testFillAndRedactPaintExactlyTheirMasksAndTheRestIsTheFrame() throws {
        let folder = try TemporaryDirectory(prefix: "clipseg-segment-effects")
        defer { folder.remove() }
        let clip = folder.path("clip.mp4").path
        let cut = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-i", TestPaths.samples.appendingPathComponent("videos/shapes.mp4").path,
                                                      "-frames:v", "3", "-c", "copy", clip])
        XCTAssertEqual(cut.status, 0, cut.stderrText)
        let margin = 3
        let result = try SegmentTestKit.run([clip, "--model", model.path, "--fill", "red circle=#00ff00",
                                             "--redact", "blue circle", "--redact-margin", "\(margin)",
                                             "--masks", folder.path("masks.y4m").path, "--mask-layout", "stack",
                                             "-o", folder.path("frames").path + "/"], timeout: 600)
        XCTAssertEqual(result.status, 0, result.stderrText)
        let masks = try SegmentTestKit.y4mFrames(folder.path("masks.y4m"))
        let (width, height) = (masks.width, masks.height)
        let source = try rgbFrames(clip, count: 3, width: width, height: height)
        XCTAssertEqual(masks.frames.count, 6, "two prompts (fill's first) × three frames")
        for f in 0..<3 {
            let picture = try rgbFrames(folder.path(String(format: "frames/%05d.png", f)).path, count: 1,
                                        width: width, height: height).first ?? []
            let filled = masks.frames[2 * f], redacted = masks.frames[2 * f + 1]
            XCTAssertGreaterThan(filled.filter { $0 == 255 }.count, 500, "frame \(f): the red circle is found")
            XCTAssertGreaterThan(redacted.filter { $0 == 255 }.count, 500, "frame \(f): the blue circle is found")
            var mismatches = 0, largestDifference = 0
            for y in 0..<height {
                for x in 0..<width {
                    let i = y * width + x
                    var grown = false
                    for dy in -margin...margin where !grown {
                        for dx in -margin...margin {
                            let (u, v) = (x + dx, y + dy)
                            if u >= 0, v >= 0, u < width, v < height, redacted[v * width + u] == 255 { grown = true; break }
                        }
                    }
                    let pixel = Array(picture[(3 * i)..<(3 * i + 3)])
                    if grown {
                        if pixel != [0, 0, 0] { mismatches += 1 }
                    } else if filled[i] == 255 {
                        if pixel != [0, 255, 0] { mismatches += 1 }
                    } else {
                        for c in 0..<3 { largestDifference = max(largestDifference, abs(Int(pixel[c]) - Int(source[f][3 * i + c]))) }
                    }
                }
            }
            XCTAssertEqual(mismatches, 0, "frame \(f): painted pixels that are not their effect's colour")
            // Elsewhere the frame as decoded (our RGB conversion against the ffmpeg tool's).
            XCTAssertLessThanOrEqual(largestDifference, 6, "frame \(f)")
        }
    }

    /// `--frame`: the picture zooms in on the red circle (it covers several times more of the frame than in the
    /// source), while the mask stream keeps the whole frame.
    func testFramingZoomsInOnThePromptAndLeavesTheMasksWhole() throws {
        let folder = try TemporaryDirectory(prefix: "clipseg-segment-framing")
        defer { folder.remove() }
        let clip = folder.path("clip.mp4").path
        let cut = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-i", TestPaths.samples.appendingPathComponent("videos/shapes.mp4").path,
                                                      "-frames:v", "2", "-c", "copy", clip])
        XCTAssertEqual(cut.status, 0, cut.stderrText)
        let result = try SegmentTestKit.run([clip, "--model", model.path, "--frame", "red circle",
                                             "--masks", folder.path("masks.y4m").path, "-o", folder.path("frames").path + "/"],
                                            timeout: 600)
        XCTAssertEqual(result.status, 0, result.stderrText)
        let masks = try SegmentTestKit.y4mFrames(folder.path("masks.y4m"))
        let (width, height) = (masks.width, masks.height)
        func redShare(_ pixels: [UInt8]) -> Double {
            let red = stride(from: 0, to: pixels.count, by: 3).filter { pixels[$0] > 150 && pixels[$0 + 1] < 90 && pixels[$0 + 2] < 90 }
            return Double(red.count) / Double(width * height)
        }
        let source = try rgbFrames(clip, count: 2, width: width, height: height)
        for f in 0..<2 {
            let framed = try rgbFrames(folder.path(String(format: "frames/%05d.png", f)).path, count: 1, width: width, height: height)
            let zoom = redShare(framed.first ?? []) / redShare(source[f])
            XCTAssertGreaterThan(zoom, 3, "frame \(f): the red circle fills more of the framed picture")
            let maskShare = Double(masks.frames[f].filter { $0 == 255 }.count) / Double(width * height)
            XCTAssertEqual(maskShare, redShare(source[f]), accuracy: 0.02, "frame \(f): the masks are of the whole frame")
        }
    }

    func testEffectOptionsAreCheckedBeforeAnythingRuns() throws {
        for (arguments, message) in [
            (["--blur", "a cat", "--redact", "A  Cat"], "'A  Cat' has two effects (--blur and --redact); give it one"),
            (["--fill", "papers"], "--fill takes TEXT=COLOR, e.g. --fill \"the papers=black\""),
            (["--fill", "papers=nocolour"], "--fill papers=nocolour: "),
            (["--blur", "a cat", "--redact-max-age", "0"], "--redact-max-age must be a positive number of seconds"),
            (["--record-when", "a cat", "--record-dir", model.appendingPathComponent("config.json").path],
             "--record-dir \(model.appendingPathComponent("config.json").path) is a file, not a folder"),
            (["--record-when", "a cat"], "--record-when TEXT and --record-dir DIR go together"),
            (["--frame", "a cat", "--mode", "cutout"], "--frame crops the picture; --mode cutout's transparency would not follow it"),
        ] {
            let result = try SegmentTestKit.run(["clip.mp4", "--model", model.path, "-o", "out.mp4"] + arguments)
            XCTAssertEqual(result.status, 64, "\(arguments): \(result.stderrText)")
            XCTAssertTrue(result.stderrText.contains(message), "\(arguments): \(result.stderrText)")
        }
    }
}
