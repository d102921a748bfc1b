import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Faults of network streams, each ending with playable outputs and the documented exit status: a server
/// killed mid-stream and restarted (`--reconnect`: the run goes on, one time line across the gap, the
/// statistics say when), a stall with the socket open and garbage bytes (`--stall-timeout`), a server that
/// never answers, and SIGINT while waiting to reconnect.
final class SegmentStreamFaultTests: NetworkStreamTestCase {
    func testServerKilledAndRestartedIsReconnectedOnOneTimeLine() throws {
        let clip = try makeTS("in.ts", seconds: 2, audio: true)
        let port = try StreamServer.freePort()
        var server = try serveHTTP(clip, port: port, loop: true)
        let url = "http://127.0.0.1:\(port)/live.ts"
        let stats = folder.path("stats.ndjson")
        let run = try startSegment(url, ["--reconnect", "--stall-timeout", "2", "-o", path("out.mkv")])
        server.stop()
        XCTAssertTrue(eventually(20) { self.stderrLines(run).contains("clipseg: \(url): stream lost (the stream ended); reconnecting") },
                      run.stderrText)
        let before = lineCount(stats)
        server = try serveHTTP(clip, port: port, loop: true)
        defer { server.stop() }
        let back = Date()
        XCTAssertTrue(eventually(20) { self.stderrLines(run).contains { $0.hasPrefix("clipseg: \(url): reconnected after ") } },
                      run.stderrText)
        let resumed = Date().timeIntervalSince(back)
        XCTAssertTrue(eventually(60) { lineCount(stats) >= before + 10 }, run.stderrText)
        let stderr = interrupt(run)
        // Back-off is capped at 1 s and opening takes about half a second (the probe): resumed within 2 s of the
        // server's return on an idle machine; the bound here leaves room for a busy one.
        XCTAssertLessThan(resumed, 4, "reconnected \(resumed) s after the server came back")

        let lines = try SegmentTestKit.statistics(stats)
        let events = lines.compactMap { $0["event"] as? String }
        XCTAssertEqual(events, ["disconnected", "reconnected"])
        let reconnected = try XCTUnwrap(lines.first { $0["event"] as? String == "reconnected" })
        XCTAssertGreaterThan(reconnected["gap_ms"] as? Int ?? 0, 0)
        // Events stand among the frames by time: the loss after the last frame before it, the return before the first after.
        let times = lines.map { $0["time"] as? Double ?? -1 }
        XCTAssertEqual(times, times.sorted(), "statistics lines in time order")
        let frameLines = lines.filter { $0["frame"] != nil }
        let counts = try SegmentTestKit.counts(in: stderr)
        XCTAssertEqual(frameLines.count, counts.written, "statistics go on across the gap")
        let indices = frameLines.compactMap { $0["frame"] as? Int }
        XCTAssertEqual(indices, indices.sorted())
        XCTAssertEqual(Set(indices).count, indices.count, "frame numbers go on counting after the gap")

        let videoTimes = try SegmentTestKit.frameTimes(path("out.mkv"))
        XCTAssertEqual(videoTimes.count, counts.written, "the video holds every frame received, both sides of the gap")
        XCTAssertEqual(videoTimes, videoTimes.sorted(), "one increasing time line")
        let largestStep = zip(videoTimes.dropFirst(), videoTimes).map { $0 - $1 }.max() ?? 0
        XCTAssertGreaterThan(largestStep, 0.5, "the gap is kept as time, not squeezed out")
        // The sound of the second connection joins the same time line.
        let gapEnd = zip(videoTimes.dropFirst(), videoTimes).first { $0 - $1 == largestStep }?.0 ?? .infinity
        let audio = try ChildProcess.runTool("ffprobe", ["-v", "error", "-select_streams", "a:0", "-show_entries",
                                                         "packet=pts_time", "-of", "csv=p=0", path("out.mkv")])
        let audioTimes = audio.stdoutText.split(separator: "\n").compactMap { Double($0) }
        XCTAssertTrue(audioTimes.contains { $0 < gapEnd - largestStep }, "sound before the gap")
        XCTAssertTrue(audioTimes.contains { $0 >= gapEnd }, "sound after the gap, on the video's time line")
        XCTAssertLessThanOrEqual(audioTimes.max() ?? 0, (videoTimes.last ?? 0) + 0.5, "no sound past the video")
    }

    func testStallWithTheSocketOpenAndGarbageEndWithinTheStallTimeout() throws {
        // Half a stream, then garbage, then silence with the connection held open.
        let clip = try makeTS("in.ts", seconds: 2)
        let stream = [UInt8](try Data(contentsOf: URL(fileURLWithPath: clip)))
        var generator = SplitMix64(seed: 18)
        let garbage = (0..<65536).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let server = try LoopbackStreamServer(sending: Array(stream.prefix(stream.count * 6 / 10)) + garbage)
        defer { server.stop() }
        let result = try SegmentTestKit.run([server.url, "--model", model, "--prompt", "circle", "--stall-timeout", "1",
                                             "-o", path("out.mp4")], timeout: 60)
        XCTAssertEqual(result.status, 1, result.stderrText)
        XCTAssertEqual(result.stderrText.split(separator: "\n").last.map(String.init),
                       "Error: \(server.url): stream lost (no data for 1 s); outputs were closed. Add --reconnect to reopen a lost stream")
        let counts = try SegmentTestKit.counts(in: result.stderrText)
        XCTAssertGreaterThan(counts.written, 0)
        XCTAssertEqual(try SegmentTestKit.frameCount(path("out.mp4")), counts.written, "the video is finalised")
    }

    func testServerThatNeverAnswersEndsAfterTheStallTimeout() throws {
        let server = try LoopbackStreamServer(sending: [])
        defer { server.stop() }
        let result = try SegmentTestKit.run([server.url, "--model", model, "--prompt", "circle", "--stall-timeout", "1",
                                             "-o", path("out.mp4")], timeout: 60)
        XCTAssertEqual(result.status, 1, result.stderrText)
        let errors = result.stderrText.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        XCTAssertEqual(errors, ["Error: \(server.url): cannot read (no answer in 1 s)"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out.mp4")), "no output is left behind")
    }

    func testSIGINTWhileWaitingToReconnectEndsAtOnceWithOutputsFinalised() throws {
        let clip = try makeTS("in.ts", seconds: 2)
        let port = try StreamServer.freePort()
        let server = try serveHTTP(clip, port: port, loop: true)
        let stats = folder.path("stats.ndjson")
        let run = try startSegment("http://127.0.0.1:\(port)/live.ts", ["--reconnect", "forever", "-o", path("out.mp4")])
        server.stop()
        XCTAssertTrue(eventually(20) { self.stderrLines(run).contains { $0.hasSuffix("; reconnecting") } }, run.stderrText)
        run.send(SIGINT)
        let (status, stderr) = run.finish(timeout: 10)
        XCTAssertEqual(status, 130, stderr)
        let counts = try SegmentTestKit.counts(in: stderr)
        XCTAssertEqual(try SegmentTestKit.frameCount(path("out.mp4")), counts.written)
        let events = try SegmentTestKit.statistics(stats).compactMap { $0["event"] as? String }
        XCTAssertEqual(events, ["disconnected"])
    }
}
