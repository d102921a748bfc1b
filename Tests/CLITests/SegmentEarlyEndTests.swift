import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `clipseg segment` ending before any frame is written: SIGINT/SIGTERM during setup end the run at once
/// with 130/143 and one line, and leave no output behind (outputs opened already are closed and removed).
final class SegmentEarlyEndTests: XCTestCase {
    private var folder: TemporaryDirectory!
    private var model = ""

    override func setUpWithError() throws {
        folder = try TemporaryDirectory(prefix: "clipseg-segment-early-end")
        model = try SegmentTestKit.makeModel(in: folder)
    }

    override func tearDown() { folder?.remove() }

    private func path(_ name: String) -> String { folder.path(name).path }

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
}
