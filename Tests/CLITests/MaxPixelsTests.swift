import Foundation
import TestSupport
import XCTest

/// `--max-pixels N` on the real binary: pictures larger than N pixels — the image of `clipseg image`, a video's
/// frames, an image prompt — are refused with one line naming the file, its size and the option (exit
/// status 1, nothing written), and read once the option raises the limit.
final class MaxPixelsTests: XCTestCase {
    private let model = TestPaths.samples.appendingPathComponent("models/shapes").path
    private var folder: TemporaryDirectory!

    override func setUpWithError() throws { folder = try TemporaryDirectory(prefix: "clipseg-max-pixels") }
    override func tearDown() { folder?.remove() }

    private func picture(_ name: String, width: Int, height: Int) throws -> URL {
        let url = folder.path(name)
        let result = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i",
                                                         "testsrc2=size=\(width)x\(height)", "-frames:v", "1", url.path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        return url
    }

    private func run(_ arguments: [String]) throws -> ProcessResult {
        try ChildProcess.run(TestPaths.clipsegBinary, arguments, timeout: 300)
    }

    private func assertRefused(_ result: ProcessResult, path: String, width: Int, height: Int, limit: Int,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, 1, result.stderrText, file: file, line: line)
        XCTAssertEqual(result.stderrText,
                       "Error: \(path) is \(width)×\(height) pixels, more than --max-pixels \(limit) allows; "
                       + "pass --max-pixels \(width * height) or more to read it\n", file: file, line: line)
    }

    func testImageOverTheLimitIsRefusedAndReadOnceTheOptionRaisesIt() throws {
        let photo = try picture("photo.png", width: 400, height: 300)
        let logits = folder.path("logits.npy")
        let arguments = ["image", photo.path, "--model", model, "--prompt", "red circle", "--logits", logits.path]
        assertRefused(try run(arguments + ["--max-pixels", "119999"]), path: photo.path, width: 400, height: 300,
                      limit: 119_999)
        XCTAssertFalse(FileManager.default.fileExists(atPath: logits.path))
        let raised = try run(arguments + ["--max-pixels", "120000"])
        XCTAssertEqual(raised.status, 0, raised.stderrText)
        XCTAssertEqual(try NPY.readFloat32(logits).shape, [1, 64, 64])
    }

    func testImagePromptOverTheLimitIsRefused() throws {
        let photo = try picture("photo.png", width: 64, height: 48)
        let prompt = try picture("prompt.png", width: 300, height: 200)
        let logits = folder.path("logits.npy")
        let result = try run(["image", photo.path, "--model", model, "--image-prompt", prompt.path,
                              "--logits", logits.path, "--max-pixels", "10000"])
        assertRefused(result, path: prompt.path, width: 300, height: 200, limit: 10_000)
        XCTAssertFalse(FileManager.default.fileExists(atPath: logits.path))
    }

    func testVideoFramesOverTheLimitAreRefusedBeforeAnyOutputOpens() throws {
        let clip = folder.path("clip.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 0.2)  // 160×120
        let output = folder.path("out.mp4")
        let arguments = ["segment", clip.path, "--model", model, "--prompt", "red circle", "-o", output.path, "--quiet"]
        assertRefused(try run(arguments + ["--max-pixels", "19199"]), path: clip.path, width: 160, height: 120,
                      limit: 19_199)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
        let raised = try run(arguments + ["--max-pixels", "19200"])
        XCTAssertEqual(raised.status, 0, raised.stderrText)
        XCTAssertEqual(try SegmentTestKit.frameCount(output.path), 2)
    }

    func testTheOptionTakesAPositiveCountAndIsDocumented() throws {
        let photo = try picture("photo.png", width: 64, height: 48)
        for bad in ["0", "-5", "lots"] {
            let result = try run(["image", photo.path, "--model", model, "--prompt", "cat", "--logits",
                                  folder.path("x.npy").path, "--max-pixels", bad])
            XCTAssertEqual(result.status, 64, result.stderrText)
            XCTAssertTrue(result.stderrText.contains("--max-pixels"), result.stderrText)
        }
        for command in ["segment", "image"] {
            let help = try run(["help", command])
            XCTAssertTrue(help.stdoutText.contains("--max-pixels <N>"), help.stdoutText)
            XCTAssertTrue(help.stdoutText.contains("default: 120000000"), help.stdoutText)
        }
    }
}
