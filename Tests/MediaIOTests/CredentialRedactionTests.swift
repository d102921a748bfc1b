@testable import MediaIO
import XCTest

/// Credentials in URLs and registered secrets never reach a message.
final class CredentialRedactionTests: XCTestCase {
    func testURLPasswordsAndSecretQueryValuesAreHidden() {
        XCTAssertEqual(CredentialRedaction.redact("rtsp://viewer:pa55@cam.local:554/live"), "rtsp://viewer:***@cam.local:554/live")
        XCTAssertEqual(CredentialRedaction.redact("Error: http://u:p%40ss@h/x.ts: cannot read (401)"),
                       "Error: http://u:***@h/x.ts: cannot read (401)")
        XCTAssertEqual(CredentialRedaction.redact("opening 'srt://h:9000?streamid=a&passphrase=LONGSECRET&latency=20'"),
                       "opening 'srt://h:9000?streamid=a&passphrase=***&latency=20'")
        XCTAssertEqual(CredentialRedaction.redact("https://h/live.m3u8?token=abc&x=1 and rtsp://a:b@c/d"),
                       "https://h/live.m3u8?token=***&x=1 and rtsp://a:***@c/d")
        XCTAssertEqual(CredentialRedaction.redact("rtsp://viewer@cam/live, a.mp4, key=value"), "rtsp://viewer@cam/live, a.mp4, key=value",
                       "a user alone, a file name and text outside URLs are left as they are")
    }

    func testInputNamesAreRedactedAndTheirPasswordsRegistered() {
        let location = InputLocation("rtsp://viewer:Zq9-unique-pass@127.0.0.1:8554/live")
        XCTAssertEqual(location.name, "rtsp://viewer:***@127.0.0.1:8554/live")
        XCTAssertEqual(location.ffmpegURL, "rtsp://viewer:Zq9-unique-pass@127.0.0.1:8554/live", "FFmpeg gets the real URL")
        XCTAssertEqual(CredentialRedaction.redact("[http] auth failed for Zq9-unique-pass"), "[http] auth failed for ***",
                       "FFmpeg's own words quoting the password are hidden too")
        let basic = Data("viewer:Zq9-unique-pass".utf8).base64EncodedString()
        XCTAssertEqual(CredentialRedaction.redact("Authorization: Basic \(basic)"), "Authorization: Basic ***")
    }

    func testSecretKeysAreRecognised() {
        for key in ["password", "passphrase", "api_token", "stream_key", "secret", "auth_type", "Authorization"] {
            XCTAssertTrue(CredentialRedaction.isSecretKey(key), key)
        }
        for key in ["probesize", "fflags", "user_agent", "rtsp_transport", "timeout"] {
            XCTAssertFalse(CredentialRedaction.isSecretKey(key), key)
        }
    }
}
