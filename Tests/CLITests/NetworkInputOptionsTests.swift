import ArgumentParser
@testable import clipseg
import MediaIO
import XCTest

/// `--reconnect [COUNT|forever]`, `--stall-timeout`, `--input-option KEY=VALUE` and `--rtsp-transport`.
final class NetworkInputOptionsTests: XCTestCase {
    func testReconnectTakesACountForeverOrNothing() throws {
        XCTAssertEqual(try NetworkInputOptions.parse([]).reconnectPolicy, .never)
        XCTAssertEqual(try NetworkInputOptions.parse(["--reconnect"]).reconnectPolicy.attempts, nil)
        XCTAssertEqual(try NetworkInputOptions.parse(["--reconnect", "forever"]).reconnectPolicy.attempts, nil)
        XCTAssertEqual(try NetworkInputOptions.parse(["--reconnect", "3"]).reconnectPolicy.attempts, 3)
        XCTAssertNotNil(try NetworkInputOptions.parse(["--reconnect", "--stall-timeout", "2"]).reconnect,
                        "an option after --reconnect is not its value")
        // The input URL after a bare --reconnect stays the input.
        let command = try SegmentCommand.parse(["--reconnect", "rtsp://cam/live", "--prompt", "a", "-o", "out.mp4"])
        XCTAssertEqual(command.input, "rtsp://cam/live")
        XCTAssertEqual(command.network.reconnect, .forever)
    }

    func testBackOffDoublesUpToOneSecond() {
        let policy = ReconnectPolicy(attempts: nil)
        XCTAssertEqual((1...5).map { policy.delay(beforeAttempt: $0) }, [0.25, 0.5, 1, 1, 1])
    }

    func testStallTimeoutAndInputOptionsAreChecked() throws {
        XCTAssertThrowsError(try NetworkInputOptions.parse(["--stall-timeout", "0"]))
        XCTAssertThrowsError(try NetworkInputOptions.parse(["--input-option", "novalue"]))
        XCTAssertThrowsError(try NetworkInputOptions.parse(["--rtsp-transport", "http"]))
        let options = try NetworkInputOptions.parse(["--input-option", "probesize=32", "--input-option", "stream_key=K3Y-VALUE",
                                                     "--rtsp-transport", "udp", "--stall-timeout", "2.5"]).openOptions
        XCTAssertEqual(options.formatOptions.map(\.key), ["probesize", "stream_key"])
        XCTAssertEqual(options.formatOptions.map(\.value), ["32", "K3Y-VALUE"])
        XCTAssertEqual(options.rtspTransport, .udp)
        XCTAssertEqual(options.stallTimeout, 2.5)
        XCTAssertEqual(CredentialRedaction.redact("sent K3Y-VALUE twice: K3Y-VALUE"), "sent *** twice: ***",
                       "a secret-named option's value is hidden from then on")
    }
}
