import XCTest
@testable import Pipeline

/// Messages quoting `--control` input spell control characters as escapes: one printable line, and no
/// escape sequence reaches the terminal (found by Tools/reliability.sh's control sweep: a NUL or an
/// ESC [2J typed on the control input went to stderr as is).
final class ControlCharacterEscapingTests: XCTestCase {
    func testParseErrorsQuoteTheLineEscaped() {
        func message(_ bytes: [UInt8]) -> String? {
            if case .failure(let error) = ControlCommand.parse(bytes) { return error.message }
            return nil
        }
        XCTAssertEqual(message(Array("x\u{0}y".utf8)),
                       "unknown control command 'x\\0y' (expected \(ControlCommand.usage))")
        XCTAssertEqual(message(Array("jump\u{1B}[2J 3".utf8)),
                       "unknown control command 'jump\\u{1B}[2J' (expected \(ControlCommand.usage))")
        XCTAssertEqual(message(Array("prompt sw\u{7}ap a".utf8)),
                       "unknown prompt command 'sw\\u{07}ap' (expected add, remove or set)")
        XCTAssertEqual(message(Array("threshold 0.5\u{0}".utf8)),
                       "threshold must be a number between 0 and 1, got '0.5\\0'", "not 0.5: Float(_:) stops at a NUL")
        XCTAssertEqual(message(Array("quit \u{1B}".utf8)), "quit takes no arguments, got '\\u{1B}'")
    }

    func testPromptRefusalsQuoteThePromptsEscaped() throws {
        var set = try PromptSet(["cat\u{1B}[31m"])
        XCTAssertEqual(set.apply(.removePrompt("dog\u{0}")),
                       .refused("no prompt 'dog\\0' to remove (prompts: 'cat\\u{1B}[31m')"))
        XCTAssertEqual(set.apply(.removePrompt("cat\u{1B}[31m")),
                       .refused("cannot remove the last prompt 'cat\\u{1B}[31m'; use 'prompt set' to replace it"))
        XCTAssertEqual(set.apply(.setPrompts(["a\u{7}", "A\u{7}"])), .refused("prompt 'A\\u{07}' is given twice"))
    }
}
