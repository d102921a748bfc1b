import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Base of the network stream tests: clips for the servers, the ffmpeg HTTP server, and a `clipseg segment`
/// run on a stream that the test lets get going (10 statistics lines) before it acts.
class NetworkStreamTestCase: SegmentModelTestCase {
    /// An MPEG-TS clip of `seconds` at 15 fps (keyframe every second, no B-frames), with a 440 Hz AAC track
    /// when `audio`.
    func makeTS(_ name: String, seconds: Double, audio: Bool = false) throws -> String {
        var arguments = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=15:duration=\(seconds)"]
        if audio { arguments += ["-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)", "-c:a", "aac"] }
        arguments += ["-c:v", "libx264", "-preset", "ultrafast", "-g", "15", "-bf", "0", path(name)]
        let result = try ChildProcess.runTool("ffmpeg", arguments)
        XCTAssertEqual(result.status, 0, result.stderrText)
        return path(name)
    }

    /// `ffmpeg -re -i CLIP -c copy -f mpegts -listen 1 http://127.0.0.1:PORT/live.ts` (`loop`: for ever), listening.
    func serveHTTP(_ clip: String, port: UInt16, loop: Bool = false) throws -> StreamServer {
        let server = try StreamServer("ffmpeg", ["-v", "error", "-re"] + (loop ? ["-stream_loop", "-1"] : []) + [
            "-i", clip, "-c", "copy", "-f", "mpegts", "-listen", "1", "http://127.0.0.1:\(port)/live.ts",
        ], folder: folder)
        StreamServer.waitForListener(port: port)
        return server
    }

    /// Starts `clipseg segment INPUT --model … --prompt PROMPT --stats STATS arguments…` and waits until it has
    /// written 10 statistics lines.
    func startSegment(_ input: String, prompt: String = "circle", stats: String = "stats.ndjson",
                      _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> RunningSegment {
        let run = try RunningSegment([input, "--model", model, "--prompt", prompt, "--stats", path(stats)] + arguments,
                                     folder: folder)
        XCTAssertTrue(eventually(60) { lineCount(folder.path(stats)) >= 10 }, run.stderrText, file: file, line: line)
        return run
    }

    /// SIGINT, then the exit: status 130 expected; returns stderr.
    func interrupt(_ run: RunningSegment, file: StaticString = #filePath, line: UInt = #line) -> String {
        run.send(SIGINT)
        let (status, stderr) = run.finish(timeout: 30)
        XCTAssertEqual(status, 130, stderr, file: file, line: line)
        return stderr
    }

    /// The child's stderr lines so far (progress redraws split at `\r`).
    func stderrLines(_ run: RunningSegment) -> [Substring] {
        run.stderrText.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
    }
}
