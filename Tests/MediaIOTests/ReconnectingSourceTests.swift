import Foundation
@testable import MediaIO
import TestSupport
import VideoFrames
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `ReconnectingSource` over loopback TCP streams that stall: a lost stream is reopened and its frames go
/// on the same time line and numbering; when the attempts are spent the source ends and says why.
final class ReconnectingSourceTests: XCTestCase {
    private var folder: TemporaryDirectory!

    override func setUpWithError() throws { folder = try TemporaryDirectory(prefix: "clipseg-reconnect") }
    override func tearDown() { folder.remove() }

    /// Events from the reading thread.
    private final class EventLog: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [ConnectionEvent] = []
        func append(_ event: ConnectionEvent) { lock.withLock { list.append(event) } }
        var events: [ConnectionEvent] { lock.withLock { list } }
    }

    /// A stall of half a second counts as lost; the packets read while probing are kept (fewer frames lost).
    private let options = InputOpenOptions(formatOptions: [("fflags", "autobsf")], stallTimeout: 0.5)

    /// The bytes of an MPEG-TS clip of `seconds` at 10 fps.
    private func clipBytes(seconds: Double) throws -> [UInt8] {
        let clip = folder.path("live.ts")
        try MediaTool.makeClip(clip, source: "testsrc2=size=64x48:rate=10", duration: seconds,
                               codecArguments: ["-c:v", "libx264", "-g", "5", "-bf", "0"])
        return [UInt8](try Data(contentsOf: clip))
    }

    private func open(_ url: String, interruption: ReadInterruption = ReadInterruption()) throws -> VideoFileSource {
        try VideoFileSource(location: InputLocation(url), maximumPixels: PixelLimit.defaultMaximum, options: options,
                            audio: nil, interruption: interruption)
    }

    func testALostStreamIsReopenedOnOneTimeLineUntilTheAttemptsAreSpent() throws {
        let bytes = try clipBytes(seconds: 2)
        // Each server sends the clip once, then holds the connection open without a byte more (a stall), and
        // accepts no second connection: reopening the second one finds nobody answering.
        let first = try LoopbackStreamServer(sending: bytes), second = try LoopbackStreamServer(sending: bytes)
        defer { first.stop(); second.stop() }
        let log = EventLog()
        let source = ReconnectingSource(first: try open(first.url), policy: ReconnectPolicy(attempts: 2, firstDelay: 0.05),
                                        onEvent: { log.append($0) }) { [self] in try open(second.url, interruption: $0) }
        var frames: [RGBFrame] = []
        while let frame = try source.nextFrame() { frames.append(frame) }
        source.close()

        XCTAssertGreaterThan(frames.count, 25, "both connections delivered most of their 20 frames")
        let times = frames.map(\.timestamp)
        XCTAssertTrue(zip(times.dropFirst(), times).allSatisfy { $0 > $1 }, "one increasing time line: \(times)")
        XCTAssertEqual(frames.map(\.index), Array(frames[0].index..<(frames[0].index + frames.count)),
                       "frame numbers go on counting")
        let events = log.events
        XCTAssertEqual(events.count, 4, "\(events)")
        guard events.count == 4 else { return }
        if case .disconnected(_, let reason) = events[0] { XCTAssertEqual(reason, "no data for 0.5 s") } else { XCTFail("\(events[0])") }
        if case .reconnected(_, let gap, let attempts) = events[1] {
            XCTAssertEqual(attempts, 1)
            XCTAssertGreaterThan(gap, 0)
        } else { XCTFail("\(events[1])") }
        if case .disconnected = events[2] {} else { XCTFail("\(events[2])") }
        if case .gaveUp(let attempts, _) = events[3] { XCTAssertEqual(attempts, 2) } else { XCTFail("\(events[3])") }
        XCTAssertEqual(source.lostStream.map(String.init(describing:)),
                       "\(first.url): stream lost (no data for 0.5 s; "
                       + "not back after 2 attempts: \(second.url): cannot read (no answer in 0.5 s))",
                       "the reopened address differs here, so its error keeps its name")
    }

    func testInterruptEndsTheWaitBetweenAttemptsAtOnce() throws {
        let server = try LoopbackStreamServer(sending: try clipBytes(seconds: 1))
        defer { server.stop() }
        let opening = try open(server.url)
        let log = EventLog()
        // Waits of an hour between attempts: only interrupt() can end the run.
        let source = ReconnectingSource(first: opening, policy: ReconnectPolicy(attempts: nil, firstDelay: 3600, maximumDelay: 3600),
                                        onEvent: { log.append($0) }) { _ in throw MediaError.unreadable("never", reason: "not called") }
        let done = DispatchSemaphore(value: 0)
        let reader = Thread {
            while (try? source.nextFrame()) != nil {}
            done.signal()
        }
        reader.start()
        // Polling for the reader thread's progress.
        let deadline = Date().addingTimeInterval(20)
        while log.events.isEmpty && Date() < deadline { usleep(10_000) }
        XCTAssertFalse(log.events.isEmpty, "the stream was lost")
        source.interrupt()
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success, "interrupt() ends the wait for the next attempt")
        XCTAssertNil(source.lostStream, "stopped, not lost")
        source.close()
    }
}
