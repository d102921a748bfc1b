import Foundation
import Pipeline
@testable import PreviewServer
import StreamKit
import TestSupport
import VideoFrames
import XCTest

/// The preview server in this process on real loopback sockets, with a stand-in JPEG encoder (a JPEG-shaped
/// byte string naming the frame) and handlers that record the control commands they get.
final class PreviewServerTests: XCTestCase {
    /// What the stand-in handlers saw.
    final class Recorder: @unchecked Sendable {
        let state = LockedState((commands: [ControlCommand](), encoded: [Int]()))
        var commands: [ControlCommand] { state.withLock { $0.commands } }
        var encoded: [Int] { state.withLock { $0.encoded } }
    }

    private func makeServer(host: String = "127.0.0.1", viewers: Int = 2, jpegBytes: Int = 16,
                            recorder: Recorder) throws -> PreviewServer {
        let server = try PreviewServer(address: PreviewAddress(host: host, port: 0), maximumViewers: viewers) {
            { frame in
                recorder.state.withLock { $0.encoded.append(frame.index) }
                return [0xFF, 0xD8] + Array("frame \(frame.index) ".utf8) + [UInt8](repeating: 0x20, count: jpegBytes) + [0xFF, 0xD9]
            }
        }
        server.start(PreviewHandlers(
            status: { PreviewRunStatus(progress: ProgressSnapshot(framesRead: 7), prompts: ["cat"], threshold: 0.4) },
            control: { command in
                recorder.state.withLock { $0.commands.append(command) }
                return PreviewControlReply(applied: true, message: "did \(command)")
            }))
        addTeardownBlock { server.stop() }
        return server
    }

    private func frame(_ index: Int) -> RGBFrame { RGBFrame(width: 4, height: 2, index: index) }

    func testServesThePageStatusAndControlsOnlyWithTheToken() throws {
        let recorder = Recorder()
        let server = try makeServer(recorder: recorder)
        let port = server.address.port
        XCTAssertNotEqual(port, 0)
        XCTAssertEqual(server.url, "http://127.0.0.1:\(port)/?token=\(server.token)")

        let page = try LoopbackHTTP.get("/", port: port)
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.head.contains("Content-Type: text/html"))
        XCTAssertTrue(page.bodyText.contains("fetch(\"/control\" + query"), "the page posts its controls to /control")
        XCTAssertTrue(page.bodyText.contains("method: \"POST\""))
        XCTAssertTrue(page.bodyText.contains("\"/video.mjpg\" + query"))
        XCTAssertFalse(page.bodyText.contains("http://") || page.bodyText.contains("https://"), "nothing from the internet")

        let status = try LoopbackHTTP.get("/status", port: port)
        XCTAssertEqual(status.status, 200)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(status.body)) as? [String: Any])
        let run = try XCTUnwrap(json["run"] as? [String: Any])
        XCTAssertEqual(run["framesRead"] as? Int, 7)
        XCTAssertEqual(run["prompts"] as? [String], ["cat"])
        XCTAssertEqual((json["preview"] as? [String: Any])?["viewers"] as? Int, 0)

        // On loopback the page and status are open, but a control needs the token (another site's page in
        // the same browser could otherwise post one).
        XCTAssertEqual(try LoopbackHTTP.post("/control", body: "prompt add dog", port: port).status, 403)
        XCTAssertEqual(try LoopbackHTTP.post("/control?token=0123", body: "prompt add dog", port: port).status, 403)
        XCTAssertEqual(recorder.commands, [])
        let applied = try LoopbackHTTP.post("/control?token=\(server.token)", body: "prompt add dog", port: port)
        XCTAssertEqual(applied.status, 200)
        XCTAssertEqual(applied.bodyText, #"{"applied":true,"message":"did addPrompt(\"dog\")"}"#)
        let unparsed = try LoopbackHTTP.post("/control?token=\(server.token)", body: "frobnicate", port: port)
        XCTAssertEqual(unparsed.status, 422)
        XCTAssertTrue(unparsed.bodyText.contains("unknown control command 'frobnicate'"), unparsed.bodyText)
        XCTAssertEqual(try LoopbackHTTP.post("/control?token=\(server.token)", body: "threshold 0.7", port: port).status, 200)
        XCTAssertEqual(recorder.commands, [.addPrompt("dog"), .threshold(0.7)])

        // A page whose name was rebound to 127.0.0.1 (DNS rebinding) sends its own name as Host: it gets nothing.
        for path in ["/", "/status", "/video.mjpg"] {
            let rebound = try LoopbackHTTP.exchange(Array("GET \(path) HTTP/1.1\r\nHost: evil.example:\(port)\r\n\r\n".utf8), port: port)
            XCTAssertEqual(rebound.status, 403, path)
        }
        let withToken = "GET /status?token=\(server.token) HTTP/1.1\r\nHost: my-laptop:\(port)\r\n\r\n"
        XCTAssertEqual(try LoopbackHTTP.exchange(Array(withToken.utf8), port: port).status, 200)
    }

    func testAnswersBadRequestsWithAnErrorAndKeepsServing() throws {
        let recorder = Recorder()
        let server = try makeServer(recorder: recorder)
        let port = server.address.port
        let token = server.token
        let cases: [(String, [UInt8], Int)] = [
            ("not HTTP", Array("HELLO\r\n\r\n".utf8), 400),
            ("binary", [0x16, 0x03, 0x01, 0x00, 0xFF, 13, 10, 13, 10], 400),
            ("a head over 8 KiB", Array(("GET /?" + String(repeating: "a", count: 10000) + " HTTP/1.1\r\n\r\n").utf8), 413),
            ("an endless header", Array(("GET / HTTP/1.1\r\nX: " + String(repeating: "b", count: 20000)).utf8), 413),
            ("a body over 4 KiB", Array("POST /control?token=\(token) HTTP/1.1\r\nContent-Length: 5000\r\n\r\n".utf8), 413),
            ("no length", Array("POST /control?token=\(token) HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".utf8), 411),
            ("a file path", Array("GET /../../etc/passwd HTTP/1.1\r\n\r\n".utf8), 404),
            ("another file", Array("GET /Package.swift HTTP/1.1\r\n\r\n".utf8), 404),
            ("DELETE", Array("DELETE / HTTP/1.1\r\n\r\n".utf8), 405),
            ("GET /control", Array("GET /control?token=\(token) HTTP/1.1\r\n\r\n".utf8), 405),
            ("HTTP/2", Array("GET / HTTP/2.0\r\n\r\n".utf8), 505),
            ("invalid UTF-8 command", Array("POST /control?token=\(token) HTTP/1.1\r\nContent-Length: 2\r\n\r\n".utf8) + [0xC3, 0x28], 422),
        ]
        for (what, request, expected) in cases {
            let reply = try LoopbackHTTP.exchange(request, port: port)
            XCTAssertEqual(reply.status, expected, "\(what): \(reply.bodyText)")
        }
        // A body shorter than announced, then silence: answered once the peer closes its side.
        let short = try LoopbackConnection(port: port)
        try short.send("POST /control?token=\(token) HTTP/1.1\r\nContent-Length: 50\r\n\r\nprompt add")
        _ = shutdown(short.descriptor, Int32(SHUT_WR))
        XCTAssertEqual(try LoopbackHTTPReply(short.readToEnd()).status, 400)
        XCTAssertEqual(recorder.commands, [])
        XCTAssertEqual(try LoopbackHTTP.get("/", port: port).status, 200)
    }

    func testAPublicAddressNeedsTheTokenForEveryRequest() throws {
        let server = try makeServer(host: "0.0.0.0", recorder: Recorder())
        XCTAssertTrue(server.tokenForEveryRequest)
        let port = server.address.port
        for path in ["/", "/status", "/video.mjpg", "/nothing", "/?token=", "/?token=\(String(server.token.value.dropLast()))"] {
            let reply = try LoopbackHTTP.get(path, port: port)
            XCTAssertEqual(reply.status, 403, path)
        }
        XCTAssertEqual(try LoopbackHTTP.get("/?token=\(server.token)", port: port).status, 200)
        XCTAssertEqual(try LoopbackHTTP.get("/status?token=\(server.token)", port: port).status, 200)
    }

    /// Reads a viewer's MJPEG stream until `count` pictures came; returns the frame numbers they name.
    private func pictures(_ viewer: LoopbackConnection, count: Int, seen: inout [UInt8]) throws -> [Int] {
        while true {
            let text = String(decoding: seen, as: UTF8.self)
            let numbers = text.components(separatedBy: "frame ").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
            if numbers.count >= count { return numbers }
            let more = try viewer.readSome()
            if more.isEmpty { throw LoopbackHTTPError("stream ended after \(numbers)") }
            seen += more
        }
    }

    func testEncodesNothingWithoutViewersAndEachFrameOnceForAll() throws {
        let recorder = Recorder()
        let server = try makeServer(viewers: 2, recorder: recorder)
        let port = server.address.port
        for index in 0..<20 { server.frames.offer(frame(index)) }
        XCTAssertEqual(server.frames.figures.framesEncoded, 0, "nobody watches: nothing is encoded")

        let first = try LoopbackConnection(port: port), second = try LoopbackConnection(port: port)
        for viewer in [first, second] { try viewer.send("GET /video.mjpg HTTP/1.1\r\n\r\n") }
        XCTAssertTrue(eventuallyTrue { server.frames.figures.viewers == 2 })
        let third = try LoopbackHTTP.get("/video.mjpg", port: port)
        XCTAssertEqual(third.status, 503, "a third viewer is over --preview-viewers 2")

        var firstBytes: [UInt8] = [], secondBytes: [UInt8] = []
        var index = 100
        var got: ([Int], [Int]) = ([], [])
        // Offer until both viewers have three pictures (they take the newest; they may skip some).
        while got.0.count < 3 || got.1.count < 3 {
            server.frames.offer(frame(index))
            index += 1
            XCTAssertTrue(eventuallyTrue { recorder.encoded.last == index - 1 })
            got = (try pictures(first, count: min(3, got.0.count + 1), seen: &firstBytes),
                   try pictures(second, count: min(3, got.1.count + 1), seen: &secondBytes))
        }
        XCTAssertTrue(String(decoding: firstBytes, as: UTF8.self)
            .hasPrefix("HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=clipsegframe\r\n"))
        XCTAssertEqual(Set(recorder.encoded).count, recorder.encoded.count, "each picture encoded once for both viewers")
        XCTAssertTrue(recorder.encoded.allSatisfy { $0 >= 100 })
        XCTAssertEqual(got.0, got.1, "both viewers got the same pictures")

        // The mask view is an exchange of its own on /mask.mjpg, encoded only while someone watches it.
        XCTAssertFalse(server.masks.isWatched)
        let masks = try LoopbackConnection(port: port)
        try masks.send("GET /mask.mjpg HTTP/1.1\r\n\r\n")
        XCTAssertTrue(eventuallyTrue { server.masks.isWatched })
        server.masks.offer(frame(5000))
        var maskBytes: [UInt8] = []
        XCTAssertEqual(try pictures(masks, count: 1, seen: &maskBytes), [5000])
    }

    func testAStalledViewerNeitherBlocksTheSinkNorHoldsUpAnotherViewer() throws {
        let recorder = Recorder()
        let server = try makeServer(viewers: 2, jpegBytes: 256 << 10, recorder: recorder)
        let port = server.address.port
        // Asks for the video and never reads: its socket buffers fill after a few pictures.
        let stalled = try LoopbackConnection(port: port, receiveBuffer: 4096)
        try stalled.send("GET /video.mjpg HTTP/1.1\r\n\r\n")
        XCTAssertTrue(eventuallyTrue { server.frames.figures.viewers == 1 })
        // Enough pictures to fill any socket buffer many times over; `offer` returns each time all the same.
        var index = 0
        while recorder.encoded.count < 60 {
            server.frames.offer(frame(index))
            index += 1
            if index % 10 == 0 { _ = eventuallyTrue { recorder.encoded.last == index - 1 } }
        }
        let watcher = try LoopbackConnection(port: port)
        try watcher.send("GET /video.mjpg HTTP/1.1\r\n\r\n")
        XCTAssertTrue(eventuallyTrue { server.frames.figures.viewers == 2 })
        // The newcomer gets the newest picture at once, then the next one offered.
        var seen: [UInt8] = []
        XCTAssertEqual(try pictures(watcher, count: 1, seen: &seen), [index - 1])
        server.frames.offer(frame(10_000))
        XCTAssertEqual(try pictures(watcher, count: 2, seen: &seen), [index - 1, 10_000])
    }

    func testStopEndsTheVideoAndRefusesNewConnections() throws {
        let server = try makeServer(recorder: Recorder())
        let port = server.address.port
        let viewer = try LoopbackConnection(port: port)
        try viewer.send("GET /video.mjpg HTTP/1.1\r\n\r\n")
        XCTAssertTrue(eventuallyTrue { server.frames.figures.viewers == 1 })
        server.stop()
        XCTAssertTrue(eventuallyTrue { server.frames.figures.viewers == 0 })
        XCTAssertThrowsError(try LoopbackHTTP.get("/", port: port))
    }

    func testATakenPortIsNamedInTheError() throws {
        let server = try makeServer(recorder: Recorder())
        XCTAssertThrowsError(try PreviewServer(address: server.address, maximumViewers: 1) { { _ in [] } }) { error in
            XCTAssertEqual(String(describing: error), "cannot listen on \(server.address): Address already in use")
        }
    }
}

/// Polls `condition` every 5 ms for at most 10 seconds (waiting on the server's threads, not timing them).
func eventuallyTrue(_ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(10)
    while Date() < deadline {
        if condition() { return true }
        usleep(5_000)
    }
    return condition()
}
