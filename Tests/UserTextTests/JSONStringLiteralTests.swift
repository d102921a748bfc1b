import Foundation
import UserText
import XCTest

/// The one JSON string escaper (`--stats` lines, safetensors headers).
final class JSONStringLiteralTests: XCTestCase {
    func testEscapesQuotesBackslashesAndC0ControlsOnly() {
        XCTAssertEqual("tab\there\u{1}".jsonStringLiteral, #""tab\there\u0001""#)  // from FrameStatisticsTests
        XCTAssertEqual("q\"b\\n\nr\r\u{1B}\u{1F}".jsonStringLiteral, #""q\"b\\n\nr\r\u001b\u001f""#)
        XCTAssertEqual("del\u{7F} c1\u{85} ls\u{2028} é🙂 /".jsonStringLiteral, "\"del\u{7F} c1\u{85} ls\u{2028} é🙂 /\"")
        XCTAssertEqual("".jsonStringLiteral, #""""#)
    }

    func testFoundationReadsBackWhatWasWritten() throws {
        let texts = ["a \"cat\"", "back\\slash", "\u{0}\u{1}\u{8}\u{C}\u{1F}\u{7F}", "line\nbreak\r\n", "ünï 中 🙂"]
        for text in texts {
            let decoded = try JSONSerialization.jsonObject(with: Data("[\(text.jsonStringLiteral)]".utf8)) as? [String]
            XCTAssertEqual(decoded, [text])
        }
    }
}
