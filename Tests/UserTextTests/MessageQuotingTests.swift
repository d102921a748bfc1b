import UserText
import XCTest

/// The libraries' spelling of text they quote in an error: code points for control characters and line
/// separators (SafeTensors' tensor names, CLIPTokenizer's tokens and lines).
final class MessageQuotingTests: XCTestCase {
    func testCodePointsForControlCharactersAndLineSeparatorsOnly() {
        XCTAssertEqual("a\nb\u{85}".escapingControlCharactersAsCodePoints, #"a\u{a}b\u{85}"#)
        XCTAssertEqual("\u{0}\u{1B}\u{7F}\u{9F}\u{2028}\u{2029}".escapingControlCharactersAsCodePoints,
                       #"\u{0}\u{1b}\u{7f}\u{9f}\u{2028}\u{2029}"#)
        XCTAssertEqual("'q\"b\\ é 🙂\u{A0}".escapingControlCharactersAsCodePoints, "'q\"b\\ é 🙂\u{A0}")
    }

    func testQuotedForMessage() {
        XCTAssertEqual("é".quotedForMessage, "\"é\"")
        XCTAssertEqual("q\"b\\n\nr\r\tt".quotedForMessage, #""q\"b\\n\nr\r\tt""#)
        XCTAssertEqual("\u{0}\u{1B}[2J\u{85}\u{2029}".quotedForMessage, #""\u{0}\u{1b}[2J\u{85}\u{2029}""#)
    }

    func testEveryEscapingEscapesTheSameCharacters() {
        for value in UInt32(0)...0x3000 {
            guard let scalar = Unicode.Scalar(value), scalar != "\"", scalar != "\\" else { continue }
            let text = String(Character(scalar))
            XCTAssertEqual(text.escapingControlCharacters != text, scalar.isControlOrLineSeparator, "U+\(value)")
            XCTAssertEqual(text.escapingControlCharactersAsCodePoints != text, scalar.isControlOrLineSeparator, "U+\(value)")
            XCTAssertEqual(text.quotedForMessage != "\"\(text)\"", scalar.isControlOrLineSeparator, "U+\(value)")
        }
    }
}
