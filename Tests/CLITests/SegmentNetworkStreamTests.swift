import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `clipseg segment` on network streams served on 127.0.0.1 by the test: MPEG-TS over HTTP (the ffmpeg CLI
/// with `-listen 1`), MJPEG over HTTP (Tests/NetworkServers/mjpeg_server.py), live HLS (Python's http.server),
/// RTSP over TCP and UDP with and without authentication (GStreamer's RTSP server), MPEG-TS over UDP and SRT
/// from ffmpeg senders. Streams
/// are live (every frame written by default), credentials appear in no output, a lost stream ends the run
/// with every output finalised and exit status 1.
final class SegmentNetworkStreamTests: NetworkStreamTestCase {
    func testHTTPMPEGTSIsLiveKeepsItsSoundAndItsEndIsALostStream() throws {
        let clip = try makeTS("in.ts", seconds: 3, audio: true)
        let port = try StreamServer.freePort()
        let server = try serveHTTP(clip, port: port)
        defer { server.stop() }
        let secret = "pa55-w0rd-\(port)"
        // FFmpeg's own lines printed too (at debug level its "Opening 'URL' for reading" names the URL): hidden there.
        let result = try SegmentTestKit.run(["http://viewer:\(secret)@127.0.0.1:\(port)/live.ts", "--model", model,
                                             "--prompt", "circle", "-o", path("out.mkv"), "--stats", path("stats.ndjson")],
                                            environment: ["CLIPSEG_FFMPEG_LOGLEVEL": "debug"], timeout: 60)
        XCTAssertEqual(result.status, 1, result.stderrText)
        XCTAssertEqual(result.stderrText.split(separator: "\n").last.map(String.init),
                       "Error: http://viewer:***@127.0.0.1:\(port)/live.ts: stream lost (the stream ended); outputs were "
                       + "closed. Add --reconnect to reopen a lost stream")
        XCTAssertTrue(result.stderrText.contains("Opening 'http://viewer:***@127.0.0.1:\(port)/live.ts' for reading"))
        assertNoSecret(secret, in: [result.stderrText, result.stdoutText])
        let counts = try SegmentTestKit.counts(in: result.stderrText)
        XCTAssertGreaterThan(counts.read, 10)
        // Every frame read is written (a lost stream loses none), or counted as passed over in front of a compositor
        // that fell behind (the live latency bound; a debug build printing FFmpeg's debug lines can fall behind).
        let passedOver = result.stderrText.firstMatch(of: /(\d+) before compositing/).map { Int($0.1)! } ?? 0
        XCTAssertEqual(counts.written + passedOver, counts.read, result.stderrText)
        XCTAssertEqual(try SegmentTestKit.frameCount(path("out.mkv")), counts.written, "the video is finalised")
        XCTAssertEqual(try SegmentTestKit.streamTypes(path("out.mkv")), ["video", "audio"],
                       "the sound comes from the one connection")
        let lines = try SegmentTestKit.statistics(folder.path("stats.ndjson"))
        XCTAssertEqual(lines.filter { $0["frame"] != nil }.count, counts.written)
        XCTAssertEqual(lines.last?["event"] as? String, "disconnected", "the statistics end with the loss")
        XCTAssertEqual(lines.last?["reason"] as? String, "the stream ended")
    }

    func testMJPEGOverHTTPIsReadUntilInterrupted() throws {
        let frames = folder.path("jpegs")
        try FileManager.default.createDirectory(at: frames, withIntermediateDirectories: true)
        let made = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=15",
                                                       "-frames:v", "15", frames.appendingPathComponent("f%03d.jpg").path])
        XCTAssertEqual(made.status, 0, made.stderrText)
        let port = try StreamServer.freePort()
        let server = try StreamServer("/usr/bin/python3", [StreamServer.script("mjpeg_server.py"), "\(port)", frames.path],
                                      folder: folder)
        defer { server.stop() }
        server.waitForReady()
        let run = try startSegment("http://127.0.0.1:\(port)/video", ["-o", path("out.mp4")])
        let stderr = interrupt(run)
        let counts = try SegmentTestKit.counts(in: stderr)
        XCTAssertEqual(try SegmentTestKit.frameCount(path("out.mp4")), counts.written)
        XCTAssertEqual(try SegmentTestKit.frameSize(path("out.mp4")), "160,120")
    }

    func testLiveHLSOverHTTPIsReadWithItsSound() throws {
        let clip = try makeTS("in.ts", seconds: 2, audio: true)
        let hls = folder.path("hls")
        try FileManager.default.createDirectory(at: hls, withIntermediateDirectories: true)
        // A live playlist (no end, old segments deleted) written by ffmpeg, served by Python's http.server.
        let writer = try StreamServer("ffmpeg", ["-v", "error", "-re", "-stream_loop", "-1", "-i", clip, "-c", "copy",
                                                 "-f", "hls", "-hls_time", "1", "-hls_list_size", "4",
                                                 "-hls_flags", "delete_segments", hls.appendingPathComponent("live.m3u8").path],
                                      folder: folder)
        defer { writer.stop() }
        let playlist = hls.appendingPathComponent("live.m3u8")
        XCTAssertTrue(eventually(20) { lineCount(playlist) >= 8 }, writer.log)  // two segments listed
        let port = try StreamServer.freePort()
        let server = try StreamServer("/usr/bin/python3", ["-m", "http.server", "\(port)", "--bind", "127.0.0.1",
                                                           "--directory", hls.path], folder: folder)
        defer { server.stop() }
        StreamServer.waitForListener(port: port)
        let run = try startSegment("http://127.0.0.1:\(port)/live.m3u8", ["-o", path("out.mkv")])
        let stderr = interrupt(run)
        let counts = try SegmentTestKit.counts(in: stderr)
        XCTAssertEqual(try SegmentTestKit.frameCount(path("out.mkv")), counts.written)
        XCTAssertEqual(try SegmentTestKit.streamTypes(path("out.mkv")), ["video", "audio"])
    }

    func testRTSPOverTCPAndUDPWithAuthenticationKeepsThePasswordSecret() throws {
        try StreamServer.requireRTSPServer()
        let port = try StreamServer.freePort()
        let secret = "rtsp-s3cret-\(port)"
        let server = try StreamServer("/usr/bin/python3", [StreamServer.script("rtsp_server.py"), "\(port)", "viewer", secret],
                                      folder: folder)
        defer { server.stop() }
        server.waitForReady()
        let url = "rtsp://viewer:\(secret)@127.0.0.1:\(port)/live"
        for transport in ["tcp", "udp"] {
            let output = path("out-\(transport).mp4")
            let run = try startSegment(url, prompt: "ball", stats: "stats-\(transport).ndjson",
                                       ["--rtsp-transport", transport, "-o", output])
            let stderr = interrupt(run)
            assertNoSecret(secret, in: [stderr])
            let counts = try SegmentTestKit.counts(in: stderr)
            XCTAssertGreaterThanOrEqual(counts.read, 10, transport)
            XCTAssertEqual(try SegmentTestKit.frameCount(output), counts.written, transport)
        }

        let wrong = try SegmentTestKit.run(["rtsp://viewer:not-\(secret)@127.0.0.1:\(port)/live", "--model", model,
                                            "--prompt", "ball", "-o", path("denied.mp4")], timeout: 60)
        XCTAssertEqual(wrong.status, 1, wrong.stderrText)
        let errors = wrong.stderrText.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        XCTAssertEqual(errors, ["Error: rtsp://viewer:***@127.0.0.1:\(port)/live: cannot read (Server returned 401 "
                                + "Unauthorized (authorization failed))"])
        assertNoSecret(secret, in: [wrong.stderrText, wrong.stdoutText])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("denied.mp4")), "nothing was opened for writing")
    }

    func testRTSPWithoutAuthentication() throws {
        try StreamServer.requireRTSPServer()
        let port = try StreamServer.freePort()
        let server = try StreamServer("/usr/bin/python3", [StreamServer.script("rtsp_server.py"), "\(port)"], folder: folder)
        defer { server.stop() }
        server.waitForReady()
        let run = try startSegment("rtsp://127.0.0.1:\(port)/live", prompt: "ball", ["-o", path("out.mkv")])
        let stderr = interrupt(run)
        let counts = try SegmentTestKit.counts(in: stderr)
        XCTAssertEqual(try SegmentTestKit.frameCount(path("out.mkv")), counts.written)
        XCTAssertEqual(try SegmentTestKit.frameSize(path("out.mkv")), "160,120")
    }

    func testUDPMPEGTSFromAnFFmpegSenderEndsAfterTheStallTimeout() throws {
        let clip = try makeTS("in.ts", seconds: 2)
        let port = try StreamServer.freePort(type: Int32(SOCK_DGRAM.rawValue))
        // The sender loops until killed; the reader binds the port and takes the stream from its next keyframe.
        let sender = try StreamServer("ffmpeg", ["-v", "error", "-re", "-stream_loop", "-1", "-i", clip, "-c", "copy",
                                                 "-f", "mpegts", "udp://127.0.0.1:\(port)?pkt_size=1316"], folder: folder)
        defer { sender.stop() }
        let run = try startSegment("udp://127.0.0.1:\(port)", ["--stall-timeout", "1", "-o", path("out.mp4")])
        sender.stop()
        let (status, stderr) = run.finish(timeout: 30)
        XCTAssertEqual(status, 1, stderr)
        XCTAssertEqual(stderr.split(separator: "\n").last.map(String.init),
                       "Error: udp://127.0.0.1:\(port): stream lost (no data for 1 s); outputs were closed. "
                       + "Add --reconnect to reopen a lost stream")
        let counts = try SegmentTestKit.counts(in: stderr)
        XCTAssertEqual(try SegmentTestKit.frameCount(path("out.mp4")), counts.written)
        XCTAssertGreaterThanOrEqual(counts.written, 10)
    }

    func testSRTFromAnFFmpegListener() throws {
        let protocols = try ChildProcess.runTool("ffmpeg", ["-hide_banner", "-protocols"])
        guard protocols.stdoutText.split(separator: "\n").contains(where: { $0.trimmingCharacters(in: .whitespaces) == "srt" }) else {
            throw XCTSkip("this ffmpeg has no SRT (libsrt)")
        }
        let clip = try makeTS("in.ts", seconds: 2)
        let port = try StreamServer.freePort(type: Int32(SOCK_DGRAM.rawValue))
        let sender = try StreamServer("ffmpeg", ["-v", "error", "-re", "-stream_loop", "-1", "-i", clip, "-c", "copy",
                                                 "-f", "mpegts", "srt://127.0.0.1:\(port)?mode=listener"], folder: folder)
        defer { sender.stop() }
        let listening = eventually(20) {
            let table = (try? String(contentsOfFile: "/proc/net/udp", encoding: .utf8)) ?? ""
            return table.contains(String(format: "0100007F:%04X", port))
        }
        XCTAssertTrue(listening, sender.log)
        let run = try startSegment("srt://127.0.0.1:\(port)", ["-o", path("out.mp4")])
        let stderr = interrupt(run)
        XCTAssertEqual(try SegmentTestKit.frameCount(path("out.mp4")), try SegmentTestKit.counts(in: stderr).written)
    }

    func testUnknownInputOptionIsRefusedWithTheValidOnes() throws {
        let clip = try makeTS("in.ts", seconds: 1)
        let server = try LoopbackStreamServer(sending: [UInt8](try Data(contentsOf: URL(fileURLWithPath: clip))))
        defer { server.stop() }
        let result = try SegmentTestKit.run([server.url, "--model", model, "--prompt", "circle", "-o", path("out.mp4"),
                                             "--input-option", "probesize=65536", "--input-option", "bogus_key=1",
                                             "--input-option", "api_token=T0KEN-VALUE"], timeout: 60)
        XCTAssertEqual(result.status, 64, result.stderrText)
        let errors = result.stderrText.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        XCTAssertEqual(errors.count, 1, result.stderrText)
        let line = String(errors.first ?? "")
        XCTAssertTrue(line.hasPrefix("Error: --input-option: \(server.url): unknown input options bogus_key, api_token; "
                                     + "valid for this input: "), line)
        XCTAssertTrue(line.contains(" probesize,") && line.contains(" fflags,"), line)
        assertNoSecret("T0KEN-VALUE", in: [result.stderrText])
    }
}
