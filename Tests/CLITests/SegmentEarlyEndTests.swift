import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `clipseg segment` ending before any frame is written: SIGINT/SIGTERM during setup end the run at once
/// with 130/143 and one line, an input that decodes no frame fails with its one-line error, and neither
/// leaves an output behind (outputs opened already are closed and removed).
final class SegmentEarlyEndTests: SegmentModelTestCase {
    /// Names in the test folder other than the model and the child's captured stdout/stderr.
    private func leftovers() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { !$0.hasPrefix("child-") })
            .subtracting(["model"])
    }

    /// The input is a named pipe whose writer never sends a byte: setup waits in opening the input, a known
    /// point after the model loaded. The signal ends it there, before any output exists.
    func testSignalWhileOpeningTheInputExitsAtOnceWithoutCreatingOutputs() throws {
        let input = path("in.fifo")
        XCTAssertEqual(mkfifo(input, 0o600), 0)
        for (signalNumber, status) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            let run = try RunningSegment([input, "--model", model, "--prompt", "cat",
                                          "-o", path("out.mp4"), "--masks", path("m.y4m")], folder: folder)
            // Succeeds once clipseg has the pipe open for reading, i.e. it is opening the input.
            var writer: Int32 = -1
            XCTAssertTrue(eventually {
                writer = open(input, O_WRONLY | O_NONBLOCK)
                return writer >= 0 || !run.process.isRunning
            }, run.stderrText)
            defer { if writer >= 0 { close(writer) } }
            XCTAssertTrue(run.process.isRunning, run.stderrText)
            run.send(signalNumber)
            let (exit, stderr) = run.finish()
            XCTAssertEqual(exit, status, stderr)
            XCTAssertEqual(stderr, "clipseg: interrupted while opening the input\n")
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("out.mp4")))
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("m.y4m")))
        }
    }

    /// With `CLIPSEG_SETUP_PAUSE=outputs` setup waits for a signal once every output is open (the documented
    /// test hook of `SegmentInterruption`): the header-only files it created are closed and removed, a
    /// folder it created too, and the message names them. Standard output is left alone.
    func testSignalWithTheOutputsOpenRemovesThem() throws {
        let clip = folder.path("in.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 1)
        let runs: [(arguments: [String], opened: Set<String>, signal: Int32, status: Int32, removed: String)] = [
            (["-o", path("out.mp4"), "--masks", path("m.y4m"), "--stats", "-"], ["out.mp4", "m.y4m"], SIGINT, 130,
             "\(path("out.mp4")) and \(path("m.y4m")) (nothing was written to them)"),
            (["--masks", path("mask-pngs"), "--mask-format", "png-dir"], ["mask-pngs"], SIGTERM, 143,
             "\(path("mask-pngs")) (nothing was written to it)"),
        ]
        for (arguments, opened, signalNumber, status, removed) in runs {
            let run = try RunningSegment([clip.path, "--model", model, "--prompt", "cat"] + arguments, folder: folder,
                                         environment: ["CLIPSEG_SETUP_PAUSE": "outputs"])
            let paused = "clipseg: setup paused with the outputs open (CLIPSEG_SETUP_PAUSE)\n"
            XCTAssertTrue(eventually { run.stderrText == paused || !run.process.isRunning }, run.stderrText)
            XCTAssertEqual(try leftovers(), opened.union(["in.mp4"]), "the outputs exist while setup is paused")
            run.send(signalNumber)
            let (exit, stderr) = run.finish()
            XCTAssertEqual(exit, status, stderr)
            XCTAssertEqual(stderr, paused + "clipseg: interrupted while opening the outputs; removed \(removed)\n")
            XCTAssertEqual(try Data(contentsOf: run.stdoutURL).count, 0, "nothing on standard output")
            XCTAssertEqual(try leftovers(), ["in.mp4"], "no output is left")
        }
    }

    /// Inputs that decode no frame: random bytes named `.mp4` (refused while opening, before any output
    /// exists) and the first 700 bytes of a real Matroska file (the header opens, no frame follows: the
    /// outputs were open and are removed after the failure). Exit 1 with the error line either way.
    func testInputThatDecodesNoFrameLeavesNoOutput() throws {
        var generator = SplitMix64(seed: 7)
        let garbage = folder.path("garbage.mp4")
        try Data((0..<200_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }).write(to: garbage)
        let clip = folder.path("clip.mkv")
        let made = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i",
                                                       "testsrc2=size=160x120:rate=10:duration=1", "-c:v", "libx264",
                                                       "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip.path])
        XCTAssertEqual(made.status, 0, made.stderrText)
        let headerOnly = folder.path("header-only.mkv")
        try Data(try Data(contentsOf: clip).prefix(700)).write(to: headerOnly)
        let cases: [(input: URL, error: String, removedLine: String?)] = [
            (garbage, "Error: \(garbage.path): not a media file FFmpeg can read (Invalid data found when processing input)",
             nil),
            (headerOnly, "Error: \(headerOnly.path): cannot decode (matroska,webm: File ended prematurely)",
             "clipseg: removed \(path("out.mp4")) and \(path("m.y4m")): the run ended before any frame was written to them"),
        ]
        for (input, error, removedLine) in cases {
            let result = try SegmentTestKit.run([input.path, "--model", model, "--prompt", "cat",
                                                 "-o", path("out.mp4"), "--masks", path("m.y4m")])
            XCTAssertEqual(result.status, 1, result.stderrText)
            let lines = result.stderrText.split(separator: "\n").map(String.init)
            XCTAssertEqual(lines.last, error, result.stderrText)
            if let removedLine { XCTAssertTrue(lines.contains(removedLine), result.stderrText) }
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("out.mp4")), "\(input.lastPathComponent)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("m.y4m")), "\(input.lastPathComponent)")
        }
    }
}
