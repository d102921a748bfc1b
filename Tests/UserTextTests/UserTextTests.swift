import UserText
import XCTest

/// Control characters escaped in messages that quote what a user typed (found by Tools/reliability.sh's
/// control sweep: a NUL or an ESC [2J typed on the control input went to stderr as is), and blanks trimmed.
final class UserTextTests: XCTestCase {
    func testEscapesControlCharactersOnly() {
        XCTAssertEqual("a\u{0}b".escapingControlCharacters, "a\\0b")
        XCTAssertEqual("\u{1B}[2J".escapingControlCharacters, "\\u{1B}[2J")
        XCTAssertEqual("tab\there\r\n".escapingControlCharacters, "tab\\there\\r\\n")
        XCTAssertEqual("line\u{2028}sep\u{85}".escapingControlCharacters, "line\\u{2028}sep\\u{0085}")
        XCTAssertEqual("rouge café 🐱 'quoted'".escapingControlCharacters, "rouge café 🐱 'quoted'")
    }

    func testTrimsOnlySpacesTabsAndLineBreaks() {
        XCTAssertEqual(" \t a dog \r\n"[...].trimmingBlanks(), "a dog")
        XCTAssertEqual("\u{A0}cat\u{B}"[...].trimmingBlanks(), "\u{A0}cat\u{B}")
        XCTAssertEqual(" \t\r\n"[...].trimmingBlanks(), "")
    }
}
