import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `clipseg segment` given bad prompts, bad `--control` input and contradictory options (issue 5): a clear
/// one-line message, the right exit status, no crash, and a run that goes on where it can.
/// Tools/reliability.sh's `options` and `camera` sweeps run the same cases and more.
final class SegmentBadInputTests: SegmentModelTestCase {
    /// 100 × "red circle": 200 tokens, far over CLIP's 77 (75 between the start and end tokens).
    private let longPrompt = Array(repeating: "red circle", count: 100).joined(separator: " ")
    private let longPromptExcerpt = "red circle red circle red circle red cir…"

    /// Refused by validation: exit 64, exactly one `Error: MESSAGE` line, nothing on standard output.
    private func assertRefused(_ arguments: [String], _ message: String,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try SegmentTestKit.run(["in.mp4", "--model", model] + arguments)
        XCTAssertEqual(result.status, 64, result.stderrText, file: file, line: line)
        let errors = result.stderrText.split(separator: "\n").filter { $0.hasPrefix("Error: ") }.map(String.init)
        XCTAssertEqual(errors, ["Error: \(message)"], file: file, line: line)
        XCTAssertEqual(result.stdoutText, "", file: file, line: line)
    }

    func testEmptyPromptsAndANegativeEqualToAPromptAreRefused() throws {
        try assertRefused(["--prompt", "", "-o", "out.mp4"], "--prompt: a prompt cannot be empty")
        try assertRefused(["--prompt", "cat", "--prompt", " \t", "-o", "out.mp4"], "--prompt: a prompt cannot be empty")
        try assertRefused(["--prompt", "cat", "--negative", "", "-o", "out.mp4"], "--negative: a prompt cannot be empty")
        try assertRefused(["--prompt", "a  cat", "--negative", "A CAT", "-o", "out.mp4"],
                          "--negative 'A CAT' is also a --prompt; it would remove everything that prompt finds")
    }

    func testContradictoryAndOutOfRangeOptionsAreRefused() throws {
        let base = ["--prompt", "cat"]
        try assertRefused(base + ["-o", "out.mp4", "--mode", "replace"],
                          "--mode replace needs --background IMAGE|COLOR (a picture, or a colour such as green)")
        try assertRefused(base + ["--masks", "m.y4m", "--mode", "blur"],
                          "--mode and --fragmented apply to the video output; add -o FILE")
        try assertRefused(base + ["--masks", "m.y4m", "--fragmented"],
                          "--mode and --fragmented apply to the video output; add -o FILE")
        try assertRefused(base + ["-o", "out.mp4", "--mask-layout", "stack"],
                          "--mask-format and --mask-layout apply to the mask stream; add --masks FILE")
        try assertRefused(base + ["-o", "out.mp4", "--size", "0"], "--size must be between 1 and 4096, got 0")
        try assertRefused(base + ["-o", "out.mp4", "--threads", "0"], "--threads must be between 1 and 256, got 0")
        try assertRefused(base + ["-o", "out.mp4", "--fps=0"], "--fps must be a positive number")
        try assertRefused(base + ["-o", "out.mp4", "--smooth", "0"],
                          "--smooth must be greater than 0 and at most 1 (the weight of the newest frame), got 0.0")
        try assertRefused(base + ["-o", "out.mp4", "--feather", "2000"], "--feather must be between 0 and 1000 pixels, got 2000")
    }

    /// A negative number after a space is the option's value (not a missing value and a stray option).
    func testNegativeNumbersAreValuesAndGetTheRangeMessage() throws {
        let base = ["--prompt", "cat", "-o", "out.mp4"]
        try assertRefused(base + ["--fps", "-1"], "--fps must be a positive number")
        try assertRefused(base + ["--threshold", "-0.5"], "--threshold must be between 0 and 1, got -0.5")
        try assertRefused(base + ["--feather", "-3"], "--feather must be between 0 and 1000 pixels, got -3")
        try assertRefused(base + ["--size", "-16"], "--size must be between 1 and 4096, got -16")
        try assertRefused(base + ["--threads", "-2"], "--threads must be between 1 and 256, got -2")
        try assertRefused(base + ["--smooth", "-1"],
                          "--smooth must be greater than 0 and at most 1 (the weight of the newest frame), got -1.0")
        try assertRefused(base + ["--fps", "--realtime"], "The value '--realtime' is invalid for '--fps <rate>'")
    }

    func testAPromptOverSeventySevenTokensWarnsOnceAndSegmentsWithItsFirstTokens() throws {
        let clip = folder.path("in.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 1, rate: 10)
        let long = try SegmentTestKit.run([clip.path, "--model", model, "--prompt", longPrompt, "--masks", path("long.y4m"),
                                           "--threads", "1"])
        XCTAssertEqual(long.status, 0, long.stderrText)
        let warnings = long.stderrText.split(separator: "\n").filter { $0.hasPrefix("warning: ") }.map(String.init)
        XCTAssertEqual(warnings, ["warning: --prompt '\(longPromptExcerpt)' is longer than the model's 77 tokens; "
                                  + "the words past them are ignored"])
        // The model saw the first 75 tokens: 37 × "red circle" and "red". Same masks as that prompt, which fits.
        let cut = Array(repeating: "red circle", count: 37).joined(separator: " ") + " red"
        let fits = try SegmentTestKit.run([clip.path, "--model", model, "--prompt", cut, "--masks", path("cut.y4m"),
                                           "--threads", "1"])
        XCTAssertEqual(fits.status, 0, fits.stderrText)
        XCTAssertFalse(fits.stderrText.contains("warning: "), fits.stderrText)
        let longMasks = try SegmentTestKit.y4mFrames(folder.path("long.y4m")).frames
        XCTAssertEqual(longMasks.count, 10)
        XCTAssertEqual(longMasks, try SegmentTestKit.y4mFrames(folder.path("cut.y4m")).frames)
        // The summary line ends with the three latency percentiles.
        let counts = try XCTUnwrap(long.stderrText.split(separator: "\n").last { $0.hasPrefix("frames: read ") })
        XCTAssertNotNil(counts.range(of: #"; latency p50 \d+ ms p95 \d+ ms p99 \d+ ms$"#, options: .regularExpression),
                        String(counts))
    }

    func testBadControlLinesEachGiveOneLineAndTheRunGoesOn() throws {
        let clip = folder.path("in.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 30, rate: 10)
        let stats = folder.path("stats.ndjson")
        let run = try RunningSegment([clip.path, "--model", model, "--prompt", "cat", "--threads", "1", "--realtime",
                                      "--control", "-", "--stats", stats.path], folder: folder)
        XCTAssertTrue(eventually { lineCount(stats) >= 3 }, run.stderrText)
        try run.write(bytes: Array("prompt add ".utf8) + [0xFF, 0xFE] + Array(" cat\n".utf8))   // invalid UTF-8
        try run.write(bytes: Array("caf".utf8) + [0xC3, 0x0A])                                   // cut sequence
        try run.write("jump 3\n")
        try run.write(bytes: [0x78, 0x00, 0x79, 0x0A])                                            // x NUL y
        try run.write("\u{1B}[2J\n")                                                              // clear screen
        try run.write("prompt add \(longPrompt)\n")
        try run.write("prompt add a dog\n")
        XCTAssertTrue(eventually { ((try? String(contentsOf: stats, encoding: .utf8)) ?? "").contains("\"a dog\"") },
                      run.stderrText)
        try run.write("quit\n")
        let (status, stderr) = run.finish()
        XCTAssertEqual(status, 0, stderr)
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let usage = "(expected prompt add TEXT | prompt remove TEXT | prompt set TEXT[;TEXT...] | threshold 0..1 | smooth 0..1 | effect KIND TEXT | quit)"
        for expected in [
            "clipseg: control: unknown control command 'jump' \(usage)",
            "clipseg: control: unknown control command 'x\\0y' \(usage)",
            "clipseg: control: unknown control command '\\u{1B}[2J' \(usage)",
            "warning: --control prompt '\(longPromptExcerpt)' is longer than the model's 77 tokens; "
                + "the words past them are ignored",
            "clipseg: control: added '\(longPrompt)'",
            "clipseg: control: added 'a dog'",
            "clipseg: control: quit, stopping",
        ] {
            XCTAssertEqual(lines.filter { $0 == expected }.count, 1, "\(expected)\nin\n\(stderr)")
        }
        XCTAssertEqual(lines.filter { $0 == "clipseg: control: control line is not valid UTF-8" }.count, 2, stderr)
        XCTAssertFalse(stderr.unicodeScalars.contains { $0 == "\u{0}" || $0 == "\u{1B}" }, "raw control characters on stderr")
        let counts = try SegmentTestKit.counts(in: stderr)
        XCTAssertLessThan(counts.read, 300, "quit stopped the run")
        XCTAssertEqual(lineCount(stats), counts.written)
        let last = try XCTUnwrap(try SegmentTestKit.statistics(stats).last)
        XCTAssertEqual(SegmentTestKit.promptNames(last), ["cat", longPrompt, "a dog"])
    }

    func testQuitBeforeTheFirstFrameEndsCleanlyAndLeavesNoEmptyOutput() throws {
        var camera = FakeCamera(path: "/tmp/clipseg-fakecam-quit-early")
        camera.sizes = ["160x120"]
        camera.stallAfter = 0
        camera.stallSeconds = 20
        let control = folder.path("control.txt")
        try "quit\n".write(to: control, atomically: true, encoding: .utf8)
        let result = try SegmentTestKit.run([camera.path, "--model", model, "--prompt", "cat", "--threads", "1",
                                             "--control", control.path, "-o", path("cam.mkv"), "--masks", path("cam.y4m")],
                                            environment: try camera.environment())
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertTrue(result.stderrText.contains("clipseg: control: quit, stopping\n"), result.stderrText)
        XCTAssertTrue(result.stderrText.hasSuffix(
            "clipseg: removed \(path("cam.mkv")) and \(path("cam.y4m")): the run ended before any frame was written to them\n"),
                      result.stderrText)
        for name in ["cam.mkv", "cam.y4m"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: path(name)), "\(name) left behind, empty")
        }
    }

    func testACameraUnpluggedBeforeItsFirstFrameFailsAndLeavesNoOutput() throws {
        var camera = FakeCamera(path: "/tmp/clipseg-fakecam-unplugged")
        camera.sizes = ["160x120"]
        camera.disconnectAfter = 0
        let result = try SegmentTestKit.run([camera.path, "--model", model, "--prompt", "cat", "--threads", "1",
                                             "-o", path("cam.mkv"), "--masks", path("cam.y4m"),
                                             "--stats", path("cam.ndjson")],
                                            environment: try camera.environment())
        XCTAssertEqual(result.status, 1, result.stderrText)
        XCTAssertTrue(result.stderrText.hasSuffix("Error: camera \(camera.path) was unplugged before its first frame\n"),
                      result.stderrText)
        for name in ["cam.mkv", "cam.y4m", "cam.ndjson"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: path(name)),
                           "\(name) left behind (an empty Matroska file does not even play)")
        }
    }

    /// An input the user may not read: one line naming it and the system's reason, for `segment` and `image`.
    /// Root reads it whatever its mode, so as root the binary runs as nobody (`UnprivilegedRun`).
    func testAnInputTheUserCannotReadIsAOneLineError() throws {
        let locked = folder.path("locked.mp4")
        try SegmentTestKit.makeClip(locked, seconds: 0.2, rate: 10)
        XCTAssertEqual(chmod(locked.path, 0), 0)
        for arguments in [["segment", locked.path, "--model", model, "--prompt", "cat", "--masks", "-"],
                          ["image", locked.path, "--model", model, "--prompt", "cat", "--logits", "-"]] {
            let (executable, wrapped) = try UnprivilegedRun.command(TestPaths.clipsegBinary, arguments)
            let result = try ChildProcess.run(executable, wrapped)
            XCTAssertEqual(result.status, 1, "\(arguments[0]): \(result.stderrText)")
            XCTAssertEqual(result.stderrText, "Error: \(locked.path): cannot read (Permission denied)\n", arguments[0])
            XCTAssertEqual(result.stdoutText, "", arguments[0])
        }
    }
}
