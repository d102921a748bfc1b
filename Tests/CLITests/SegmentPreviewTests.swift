import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `clipseg segment --realtime --preview`: the page in a real browser (headless Chromium) shows live video,
/// its control route changes the run as `--control` does, a public address needs the token, and bad requests
/// or a stalled viewer never stop or slow the run.
final class SegmentPreviewTests: XCTestCase {
    /// A `segment --realtime --preview 127.0.0.1:0` run on a 160×120 clip at 10 fps, with `--stats`.
    struct PreviewRun {
        let child: RunningSegment
        let stats: URL
        let url: String
        let port: Int
        let token: String

        init(folder: TemporaryDirectory, seconds: Double, extra: [String] = ["--preview", "127.0.0.1:0"]) throws {
            let clip = folder.path("clip-\(UUID().uuidString).mp4")
            try SegmentTestKit.makeClip(clip, seconds: seconds)
            let model = try SegmentTestKit.makeModel(in: folder)
            stats = folder.path("stats-\(UUID().uuidString).ndjson")
            child = try RunningSegment([clip.path, "--model", model, "--prompt", "a cat", "--realtime",
                                        "--stats", stats.path] + extra, folder: folder,
                                       environment: ChildProcess.pinnedPrecision)
            let child = child
            guard eventually(30, { child.stderrText.contains("clipseg: preview at http://") }) else {
                throw SegmentTestKit.KitError("no preview address printed: \(child.finish(timeout: 1).stderr)")
            }
            let line = child.stderrText.split(separator: "\n").first { $0.hasPrefix("clipseg: preview at ") }!
            url = String(line.dropFirst("clipseg: preview at ".count))
            let hostPort = url.dropFirst("http://".count).prefix { $0 != "/" }
            port = Int(hostPort.split(separator: ":").last!)!
            token = String(url.split(separator: "=").last!)
        }

        /// Waits until the statistics output has `count` more lines than now.
        func waitForFrames(_ count: Int, file: StaticString = #filePath, line: UInt = #line) {
            let start = lineCount(stats)
            XCTAssertTrue(eventually(30) { lineCount(stats) >= start + count },
                          "the run stopped advancing at \(lineCount(stats)) frames", file: file, line: line)
        }

        /// Ends the run through the page's own control route; returns the exit status and standard error.
        func quit() throws -> (status: Int32, stderr: String) {
            let reply = try LoopbackHTTP.post("/control?token=\(token)", body: "quit", port: port)
            XCTAssertEqual(reply.status, 200, reply.bodyText)
            return child.finish()
        }
    }

    /// The first JPEG of an MJPEG route, decoded by the ffmpeg CLI.
    private func firstPicture(of path: String, port: Int, in folder: TemporaryDirectory) throws -> PPMImage {
        let viewer = try LoopbackConnection(port: port)
        try viewer.send("GET \(path) HTTP/1.1\r\n\r\n")
        var bytes: [UInt8] = []
        while true {
            let more = try viewer.readSome()
            guard !more.isEmpty else { throw SegmentTestKit.KitError("\(path) ended without a picture") }
            bytes += more
            guard let start = (0..<max(0, bytes.count - 1)).first(where: { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xD8 }),
                  let end = (start..<max(start, bytes.count - 1)).first(where: { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xD9 })
            else { continue }
            let jpeg = folder.path("picture-\(UUID().uuidString).jpg"), ppm = folder.path("picture-\(UUID().uuidString).ppm")
            try Data(bytes[start...(end + 1)]).write(to: jpeg)
            let converted = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-y", "-i", jpeg.path, "-pix_fmt", "rgb24",
                                                                "-f", "image2", "-c:v", "ppm", ppm.path])
            guard converted.status == 0 else { throw SegmentTestKit.KitError("ffmpeg: \(converted.stderrText)") }
            return try PPMImage(contentsOf: ppm)
        }
    }

    /// The page's 480×360 video box (see PreviewPage) in a screenshot.
    private func videoArea(_ image: PPMImage) -> [UInt8] {
        var pixels: [UInt8] = []
        for y in 56..<416 { pixels += image.pixels[(y * image.width + 16) * 3..<(y * image.width + 496) * 3] }
        return pixels
    }

    func testThePageShowsLiveVideoInChromium() throws {
        _ = try HeadlessChromium.path()
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let run = try PreviewRun(folder: folder, seconds: 12)
        run.waitForFrames(3)
        let first = try HeadlessChromium.screenshot(run.url, in: folder, name: "first")
        run.waitForFrames(5)
        let second = try HeadlessChromium.screenshot(run.url, in: folder, name: "second")
        XCTAssertEqual(first.width, HeadlessChromium.windowWidth)
        let (a, b) = (videoArea(first), videoArea(second))
        // testsrc2 is colourful: a blank (black or unloaded) box has no saturated pixels.
        for (name, area) in [("first", a), ("second", b)] {
            let colourful = stride(from: 0, to: area.count, by: 3).filter { i in
                let channel = area[i..<(i + 3)]
                return channel.max()! - channel.min()! > 80
            }.count
            XCTAssertGreaterThan(colourful, area.count / 3 / 4, "the \(name) screenshot shows no video")
        }
        let changed = stride(from: 0, to: a.count, by: 3).filter { i in
            (0..<3).contains { abs(Int(a[i + $0]) - Int(b[i + $0])) > 40 }
        }.count
        XCTAssertGreaterThan(changed, a.count / 3 / 100, "the video did not change between the screenshots")
        let (status, stderr) = try run.quit()
        XCTAssertEqual(status, 0, stderr)
    }

    func testThePagesControlRouteChangesThePromptsFromALaterFrame() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let run = try PreviewRun(folder: folder, seconds: 10)
        run.waitForFrames(3)
        // The page's script posts each control line to /control with the token from its address.
        let page = try LoopbackHTTP.get("/", port: run.port)
        XCTAssertTrue(page.bodyText.contains(#"fetch("/control" + query, {"#) && page.bodyText.contains(#"method: "POST""#))
        XCTAssertTrue(page.bodyText.contains(#"sendControl("prompt add " + text)"#))
        // The mask view: grey pictures of the clip's size.
        let mask = try firstPicture(of: "/mask.mjpg", port: run.port, in: folder)
        XCTAssertEqual([mask.width, mask.height], [160, 120])
        XCTAssertLessThanOrEqual(stride(from: 0, to: mask.pixels.count, by: 3).map { i in
            Int(mask.pixels[i...(i + 2)].max()!) - Int(mask.pixels[i...(i + 2)].min()!)
        }.max()!, 3, "grey")
        let before = lineCount(run.stats)
        let reply = try LoopbackHTTP.post("/control?token=\(run.token)", body: "prompt add a dog", port: run.port)
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.bodyText, #"{"applied":true,"message":"added 'a dog'"}"#)
        let status = try LoopbackHTTP.get("/status", port: run.port)
        XCTAssertTrue(status.bodyText.contains(#""prompts":["a cat","a dog"]"#), status.bodyText)
        let refused = try LoopbackHTTP.post("/control?token=\(run.token)", body: "threshold 7", port: run.port)
        XCTAssertEqual(refused.status, 422)
        XCTAssertTrue(refused.bodyText.contains("threshold must be a number between 0 and 1, got '7'"), refused.bodyText)
        run.waitForFrames(3)
        let (exit, stderr) = try run.quit()
        XCTAssertEqual(exit, 0, stderr)
        XCTAssertTrue(stderr.contains("clipseg: control: added 'a dog'"), "the --control path reported it: \(stderr)")
        let lines = try SegmentTestKit.statistics(run.stats)
        XCTAssertEqual(lines.prefix(before).map(SegmentTestKit.promptNames).filter { $0 != ["a cat"] }, [],
                       "frames before the POST have the old prompts")
        XCTAssertEqual(lines.last.map(SegmentTestKit.promptNames), ["a cat", "a dog"], "later frames have the new one")
    }

    func testTypingAPromptAndMovingTheSliderInThePageChangeTheRun() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let browser = try ChromiumDevTools(profile: folder.path("chromium-profile"))
        defer { browser.close() }
        let run = try PreviewRun(folder: folder, seconds: 10)
        run.waitForFrames(3)
        try browser.open(run.url)
        // The page has shown the run's prompts (its first /status answer).
        XCTAssertTrue(eventually(20) {
            (try? browser.evaluate("document.querySelectorAll('#prompts li').length")) as? Int == 1
        })
        let before = lineCount(run.stats)
        _ = try browser.evaluate("document.getElementById('prompt-text').focus()")
        try browser.type("a dog")
        try browser.pressEnter()
        XCTAssertTrue(eventually(20) {
            (try? browser.evaluate("document.getElementById('reply').textContent")) as? String == "added 'a dog'"
        }, "the page shows the reply")
        XCTAssertTrue(eventually(20) {
            (try? browser.evaluate("[...document.querySelectorAll('#prompts li span')].map(e => e.textContent).join('|')"))
                as? String == "a cat|a dog"
        }, "the page lists the new prompt")
        // The slider sends `threshold VALUE` when let go.
        _ = try browser.evaluate("""
            const slider = document.getElementById('threshold'); slider.value = 0.25;
            slider.dispatchEvent(new Event('change'))
            """)
        XCTAssertTrue(eventually(20) {
            (try? LoopbackHTTP.get("/status", port: run.port).bodyText.contains(#""threshold":0.25"#)) == true
        })
        _ = try browser.evaluate("""
            const smoothing = document.getElementById('smoothing'); smoothing.value = 0.5;
            smoothing.dispatchEvent(new Event('change'))
            """)
        XCTAssertTrue(eventually(20) {
            (try? LoopbackHTTP.get("/status", port: run.port).bodyText.contains(#""smoothing":0.5"#)) == true
        })
        // Ticking the mask view opens the mask stream beside the video's.
        _ = try browser.evaluate("document.getElementById('show-mask').click()")
        XCTAssertTrue(eventually(20) { (try? browser.evaluate("document.getElementById('mask').naturalWidth")) as? Int == 160 },
                      "the mask view shows a 160-pixel-wide picture")
        run.waitForFrames(3)
        let (exit, stderr) = try run.quit()
        XCTAssertEqual(exit, 0, stderr)
        XCTAssertTrue(stderr.contains("clipseg: control: added 'a dog'"), stderr)
        XCTAssertTrue(stderr.contains("clipseg: control: threshold 0.25"), stderr)
        XCTAssertTrue(stderr.contains("clipseg: control: smoothing 0.5"), stderr)
        let lines = try SegmentTestKit.statistics(run.stats)
        XCTAssertEqual(lines.prefix(before).map(SegmentTestKit.promptNames).filter { $0 != ["a cat"] }, [])
        XCTAssertEqual(lines.last.map(SegmentTestKit.promptNames), ["a cat", "a dog"], "later frames have the typed prompt")
    }

    func testAPublicAddressRefusesRequestsWithoutTheToken() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let run = try PreviewRun(folder: folder, seconds: 8, extra: ["--preview", "0.0.0.0:0", "--preview-public", "--quiet"])
        XCTAssertTrue(run.url.hasPrefix("http://0.0.0.0:"), run.url)
        XCTAssertTrue(run.child.stderrText.contains("warning: --preview 0.0.0.0:0 can be reached from other machines"))
        for path in ["/", "/status", "/video.mjpg", "/?token=wrong"] {
            XCTAssertEqual(try LoopbackHTTP.get(path, port: run.port).status, 403, path)
        }
        XCTAssertEqual(try LoopbackHTTP.post("/control", body: "quit", port: run.port).status, 403)
        let page = try LoopbackHTTP.get("/?token=\(run.token)", port: run.port)
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.bodyText.contains("<title>clipseg live preview</title>"))
        XCTAssertEqual(try LoopbackHTTP.get("/status?token=\(run.token)", port: run.port).status, 200)
        run.waitForFrames(2)
        let (status, stderr) = try run.quit()
        XCTAssertEqual(status, 0, stderr)
    }

    func testBadRequestsAndAStalledViewerNeitherStopNorSlowTheRun() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let run = try PreviewRun(folder: folder, seconds: 8, extra: ["--preview", "127.0.0.1:0", "--preview-viewers", "1"])
        run.waitForFrames(2)
        // A viewer that asks for the video and never reads (a tiny receive buffer fills at once).
        let stalled = try LoopbackConnection(port: run.port, receiveBuffer: 4096)
        try stalled.send("GET /video.mjpg HTTP/1.1\r\n\r\n")
        XCTAssertTrue(eventually(10) {
            (try? LoopbackHTTP.get("/status", port: run.port).bodyText.contains(#""viewers":1"#)) == true
        })
        XCTAssertEqual(try LoopbackHTTP.get("/video.mjpg", port: run.port).status, 503, "over --preview-viewers 1")
        let bad: [([UInt8], Int)] = [
            (Array("NONSENSE\r\n\r\n".utf8), 400),
            (Array(("GET /" + String(repeating: "x", count: 20000) + " HTTP/1.1\r\n\r\n").utf8), 413),
            (Array("POST /control?token=\(run.token) HTTP/1.1\r\nContent-Length: 100000\r\n\r\n".utf8), 413),
            (Array("GET /etc/passwd HTTP/1.1\r\n\r\n".utf8), 404),
            ([0, 1, 2, 255, 13, 10, 13, 10], 400),
        ]
        for (request, expected) in bad {
            XCTAssertEqual(try LoopbackHTTP.exchange(request, port: run.port).status, expected)
        }
        // The run keeps going at the clip's rate while the stalled viewer's connection is stuck.
        run.waitForFrames(30)
        let (status, stderr) = run.child.finish()
        withExtendedLifetime(stalled) {}
        XCTAssertEqual(status, 0, stderr)
        // (Not written == read: a loaded machine may pass over late frames before compositing, stalled viewer or not.)
        let counts = try SegmentTestKit.counts(in: stderr)
        XCTAssertEqual(lineCount(run.stats), counts.written)
        // The clip has 80 frames; a live file that falls behind may skip a few, a stalled run would read far fewer.
        XCTAssertGreaterThanOrEqual(counts.read, 70, "the 8 s clip at 10 fps was read through: \(stderr)")
    }

    func testPreviewOptionsAreCheckedBeforeAnythingLoads() throws {
        let cases: [([String], String)] = [
            (["--preview", "0.0.0.0:8080"], "--preview 0.0.0.0:8080 is not a loopback address: add --preview-public"),
            (["--preview", "example.com:80"], "--preview expects [HOST:]PORT with an IPv4 HOST"),
            (["--preview", "70000"], "--preview expects [HOST:]PORT"),
            (["--preview-public", "--stats", "-"], "--preview-public and --preview-viewers apply to --preview"),
            (["--preview", "8080", "--preview-viewers", "0"], "--preview-viewers must be between 1 and 16, got 0"),
        ]
        for (arguments, message) in cases {
            let result = try SegmentTestKit.run(["in.mp4", "--prompt", "cat"] + arguments)
            XCTAssertEqual(result.status, 64, "\(arguments): \(result.stderrText)")
            XCTAssertTrue(result.stderrText.contains(message), "\(arguments): \(result.stderrText)")
        }
    }
}
