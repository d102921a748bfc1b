import Foundation
import TestSupport
import XCTest

/// Exit statuses (64 for every usage error, 1 at run time), warnings, escaped messages and the smaller
/// defects of issue 13, on the real binary.
final class CommandExitStatusTests: SegmentModelTestCase {
    private var clip = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        clip = path("in.mp4")
        try SegmentTestKit.makeClip(URL(fileURLWithPath: clip), seconds: 0.3, rate: 10, audio: true)
    }

    private func segment(_ arguments: [String], stdin: Data? = nil) throws -> ProcessResult {
        try SegmentTestKit.run([clip, "--model", model] + arguments, stdin: stdin)
    }

    func testUsageErrorsFoundAtRunTimeExit64() throws {
        let cases: [([String], String)] = [
            (["--prompt", "cat", "--prompt", "Cat ", "--stats", path("a.ndjson")], "--prompt"),
            (["--prompt", "cat", "--mode", "replace", "--background", "#12", "-o", path("b.mp4")], "--background"),
            (["--prompt", "cat", "--fps", "5", "--stats", path("c.ndjson")], "--fps"),
            (["--prompt", "cat", "--size", "17", "--stats", path("d.ndjson")], "--size"),
            (["--prompt", "cat", "-o", path("e.xyz")], "-o \(path("e.xyz"))"),
            (["--prompt", "cat", "--masks", path("f.png")], "--masks"),
            (["--prompt", "cat", "--masks", path("g.mkv")], "--masks"),
            (["--prompt", "cat", "-o", path("h_%s.png")], "%s"),
            (["--prompt", "cat", "--control", folder.url.path, "--stats", path("i.ndjson")], "--control"),
            (Array((1...256).flatMap { ["--prompt", "p\($0)"] }) + ["--masks", path("j.y4m"), "--mask-layout", "labels"],
             "--mask-layout labels"),
        ]
        for (arguments, named) in cases {
            let result = try segment(arguments)
            XCTAssertEqual(result.status, 64, "\(arguments.suffix(4)): \(result.stderrText)")
            XCTAssertTrue(result.stderrText.contains(named), "\(named) in \(result.stderrText)")
            XCTAssertFalse(result.stderrText.contains("Fatal error"), result.stderrText)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0 != "model" && $0 != "in.mp4" }
        XCTAssertEqual(leftovers, [], "no usage error leaves a file behind")
        let image = try ChildProcess.run(TestPaths.clipsegBinary, ["image", clip, "--model", model, "--prompt", "x",
                                                                   "-o", path("out.jpg")])
        XCTAssertEqual(image.status, 64, image.stderrText)
        XCTAssertTrue(image.stderrText.contains(".png"), image.stderrText)
    }

    func testMessagesEscapeControlCharactersOfFileNames() throws {
        let result = try SegmentTestKit.run([path("evil\u{1B}[31m.mp4"), "--model", model, "--prompt", "x",
                                             "--stats", path("s.ndjson")])
        XCTAssertEqual(result.status, 1, result.stderrText)
        XCTAssertFalse(result.stderrText.contains("\u{1B}"), "no raw escape reaches the terminal")
        XCTAssertTrue(result.stderrText.contains("evil\\u{1B}[31m.mp4"), result.stderrText)
    }

    func testLostTransparencyIsSaidAndTheSoundOfStandardInputKept() throws {
        let cutout = try segment(["--prompt", "cat", "--mode", "cutout", "-o", path("cut.mp4")])
        XCTAssertEqual(cutout.status, 0, cutout.stderrText)
        XCTAssertTrue(cutout.stderrText.contains("cannot carry transparency") && cutout.stderrText.contains(".mov"),
                      cutout.stderrText)
        let piped = try SegmentTestKit.run(["-", "--model", model, "--prompt", "cat", "-o", path("piped.mkv")],
                                           stdin: try Data(contentsOf: URL(fileURLWithPath: clip)))
        XCTAssertEqual(piped.status, 0, piped.stderrText)
        // The sound comes from the demuxer that reads the pictures, so standard input keeps it too.
        XCTAssertEqual(try SegmentTestKit.streamTypes(path("piped.mkv")), ["video", "audio"], piped.stderrText)
    }

    func testImageToAReaderThatClosesEarlyExitsZero() throws {
        let picture = try SegmentTestKit.stillFrame(of: clip, in: folder)
        let script = "set -o pipefail; \"$0\" image \"$1\" --model \"$2\" --prompt x -o - | head -c 8 > /dev/null; "
            + "echo \"${PIPESTATUS[0]}\""
        let result = try ChildProcess.run(URL(fileURLWithPath: "/bin/bash"),
                                          ["-c", script, TestPaths.clipsegBinary.path, picture, model])
        XCTAssertEqual(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines), "0", result.stderrText)
        XCTAssertEqual(result.stderrText, "")
        let npy = try ChildProcess.run(TestPaths.clipsegBinary, ["image", picture, "--model", model, "--prompt", "x",
                                                                 "--logits", "-"])
        XCTAssertEqual(npy.status, 0, npy.stderrText)
        XCTAssertEqual(Array(npy.stdout.prefix(6)), [0x93] + Array("NUMPY".utf8))
    }

    func testImageWarnsOnceForAPromptPastTheTokenLimit() throws {
        let picture = try SegmentTestKit.stillFrame(of: clip, in: folder)
        let long = Array(repeating: "red", count: 90).joined(separator: " ")
        let result = try ChildProcess.run(TestPaths.clipsegBinary, ["image", picture, "--model", model, "--prompt", long,
                                                                    "--prompt", "cat", "--logits", path("l.npy")])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let warnings = result.stderrText.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
        XCTAssertEqual(warnings.count, 1, result.stderrText)
        XCTAssertTrue(warnings.first?.contains("is longer than the model's 77 tokens") ?? false, result.stderrText)
    }

    func testAMissingMergesFileIsNamed() throws {
        try FileManager.default.removeItem(atPath: model + "/merges.txt")
        let result = try segment(["--prompt", "cat", "--stats", path("s.ndjson")])
        XCTAssertEqual(result.status, 1, result.stderrText)
        XCTAssertTrue(result.stderrText.contains("merges.txt"), result.stderrText)
        XCTAssertFalse(result.stderrText.contains("no vocab.json") || result.stderrText.contains("missing vocab.json"),
                       result.stderrText)
    }
}
